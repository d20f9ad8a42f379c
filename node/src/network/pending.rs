//! A limit on unfinished inbound connections per remote IP address.
//!
//! Before its handshake completes a connection has no PeerId, so the trust gate cannot
//! judge it, and the swarm's limit on pending connections is one for all of them: a
//! stranger keeping a few dozen handshakes open would fill it, and a trusted
//! neighbour could not connect for as long as that went on. Per address, one stranger
//! holds only a few slots.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::task::{Context, Poll};

use libp2p::core::Endpoint;
use libp2p::core::multiaddr::Protocol;
use libp2p::core::transport::PortUse;
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{Multiaddr, PeerId};

/// Unfinished inbound connections allowed from one IP address.
pub const MAX_PENDING_PER_ADDRESS: u32 = 4;

/// Refuses an inbound connection while its address already has
/// [`MAX_PENDING_PER_ADDRESS`] handshakes under way.
#[derive(Debug, Default)]
pub struct PendingPerAddress {
    pending: HashMap<IpAddr, u32>,
    by_connection: HashMap<ConnectionId, IpAddr>,
}

/// Why a connection was refused.
#[derive(Debug, thiserror::Error)]
#[error("{0} already has {MAX_PENDING_PER_ADDRESS} connections in their handshake")]
pub struct TooManyPending(IpAddr);

fn ip_of(addr: &Multiaddr) -> Option<IpAddr> {
    addr.iter().find_map(|p| match p {
        Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
        Protocol::Ip6(ip) => Some(IpAddr::V6(ip)),
        _ => None,
    })
}

impl PendingPerAddress {
    fn release(&mut self, connection: ConnectionId) {
        if let Some(ip) = self.by_connection.remove(&connection)
            && let Some(count) = self.pending.get_mut(&ip)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.pending.remove(&ip);
            }
        }
    }
}

impl NetworkBehaviour for PendingPerAddress {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_pending_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        _local: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        let Some(ip) = ip_of(remote) else {
            return Ok(());
        };
        let count = self.pending.entry(ip).or_default();
        if *count >= MAX_PENDING_PER_ADDRESS {
            return Err(ConnectionDenied::new(TooManyPending(ip)));
        }
        *count += 1;
        self.by_connection.insert(connection_id, ip);
        Ok(())
    }

    fn handle_established_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        _peer: PeerId,
        _local: &Multiaddr,
        _remote: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.release(connection_id);
        Ok(dummy::ConnectionHandler)
    }

    fn handle_established_outbound_connection(
        &mut self,
        _connection_id: ConnectionId,
        _peer: PeerId,
        _addr: &Multiaddr,
        _role: Endpoint,
        _port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            // A handshake that failed, or a connection another limit refused.
            FromSwarm::ListenFailure(failure) => self.release(failure.connection_id),
            FromSwarm::ConnectionClosed(closed) => self.release(closed.connection_id),
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _peer: PeerId,
        _connection: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_holds_a_few_slots_and_gets_them_back() {
        let mut limit = PendingPerAddress::default();
        let local: Multiaddr = "/ip4/127.0.0.1/tcp/4001".parse().unwrap();
        let stranger: Multiaddr = "/ip4/192.0.2.7/tcp/50000".parse().unwrap();
        let neighbour: Multiaddr = "/ip4/198.51.100.3/tcp/50000".parse().unwrap();
        let ids: Vec<ConnectionId> = (0..=MAX_PENDING_PER_ADDRESS as usize)
            .map(ConnectionId::new_unchecked)
            .collect();
        for id in &ids[..MAX_PENDING_PER_ADDRESS as usize] {
            assert!(
                limit
                    .handle_pending_inbound_connection(*id, &local, &stranger)
                    .is_ok()
            );
        }
        let last = ids[MAX_PENDING_PER_ADDRESS as usize];
        assert!(
            limit
                .handle_pending_inbound_connection(last, &local, &stranger)
                .is_err()
        );
        let other = ConnectionId::new_unchecked(1000);
        assert!(
            limit
                .handle_pending_inbound_connection(other, &local, &neighbour)
                .is_ok()
        );
        // A finished handshake frees its slot.
        assert!(
            limit
                .handle_established_inbound_connection(ids[0], PeerId::random(), &local, &stranger)
                .is_ok()
        );
        assert!(
            limit
                .handle_pending_inbound_connection(last, &local, &stranger)
                .is_ok()
        );
    }
}
