//! After a restore into an empty store: our own records come back from the neighbours
//! before anything of ours is published again.

use std::fmt::Debug;

use steunpunt_protocol::Timestamp;
use steunpunt_protocol::body::{PeeringEntry, Profile};
use tracing::{info, warn};

use crate::replication::engine::EngineError;
use crate::store::Store;

use super::*;

/// What waits while a restored node learns its own records back: the profile from
/// `config.toml` and the saved neighbours its peering record should vouch for. Published
/// (each as the next revision after the one the region holds) once a sync with a
/// neighbour has completed.
#[derive(Debug)]
pub(super) struct Recovery {
    pub(super) profile: Profile,
    pub(super) node: String,
    pub(super) vouch: Vec<PeeringEntry>,
}

impl<S: Store, P: Peer> Replicator<S, P> {
    /// Starts a restored node: with no record of our own held and saved neighbours to ask,
    /// our own records are learned back from them before anything of ours is published
    /// (a revision made now could repeat or undercut one the region holds). Otherwise
    /// publishes the profile as [`Self::ensure_profile`] does.
    pub fn begin(
        &mut self,
        profile: Profile,
        node: &str,
        has_neighbours: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if has_neighbours && !self.engine.holds_own() {
            info!(
                "no records of our own in the store: learning them back from the neighbours before publishing"
            );
            self.recovery = Some(Recovery {
                profile,
                node: node.to_owned(),
                vouch: Vec::new(),
            });
            return Ok(());
        }
        self.ensure_profile(profile, node, now)?;
        Ok(())
    }

    /// Whether our own records are still being learned back after a restore.
    pub fn recovering(&self) -> bool {
        self.recovery.is_some()
    }

    pub(super) fn refuse_while_recovering(&self) -> Result<(), EngineError> {
        if self.recovery.is_some() {
            return Err(EngineError::Recovering);
        }
        Ok(())
    }

    /// A sync with a neighbour completed: what the region holds of ours is here, so our
    /// profile and peering record continue from their revisions.
    pub(super) fn finish_recovery(&mut self, now: Timestamp) {
        let Some(recovery) = self.recovery.take() else {
            return;
        };
        info!("our own records are back from the neighbours; publishing resumes");
        if let Err(e) = self.ensure_profile(recovery.profile, &recovery.node, now) {
            warn!("cannot publish this steunpunt's profile after the restore: {e}");
        }
        let vouched = match self.engine.own_peering() {
            Ok(peering) => peering,
            Err(e) => {
                warn!("cannot read our peering record after the restore: {e}");
                return;
            }
        };
        let missing: Vec<PeeringEntry> = recovery
            .vouch
            .into_iter()
            .filter(|e| !vouched.vouches_for(&e.steunpunt) && !vouched.blocks(&e.steunpunt))
            .collect();
        if !missing.is_empty()
            && let Err(e) = self.change_peering(|p| p.vouches.extend(missing), now)
        {
            warn!("cannot vouch for the saved neighbours after the restore: {e}");
        }
    }
}
