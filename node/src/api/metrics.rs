//! Prometheus metrics: libp2p's, plus the engine's counters read at scrape time.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use super::exposition::{Format, render};
use super::{ApiError, ApiState};
use crate::actor::NodeHandle;

/// Exposes the engine's counters and sizes, from the owner's latest summary.
pub struct EngineCollector(pub NodeHandle);

impl std::fmt::Debug for EngineCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EngineCollector")
    }
}

impl Collector for EngineCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let summary = self.0.summary();
        let c = &summary.counters;
        let records = i64::try_from(summary.tally.total()).unwrap_or(i64::MAX);
        let trusted = i64::try_from(summary.trust.len()).unwrap_or(i64::MAX);
        let outcomes = [
            ("accepted", c.accepted),
            ("duplicate", c.duplicate),
            ("stale", c.stale),
            ("untrusted", c.untrusted),
            ("expired", c.expired),
            ("from_future", c.from_future),
            ("invalid", c.invalid),
            ("not_stored", c.not_stored),
        ];
        let mut family = encoder.encode_descriptor(
            "steunpunt_ingest",
            "Records received from peers, by outcome",
            None,
            MetricType::Counter,
        )?;
        for (outcome, value) in outcomes {
            ConstCounter::new(value).encode(family.encode_family(&vec![("outcome", outcome)])?)?;
        }
        for (name, help, value) in [
            (
                "steunpunt_equivocations",
                "Equal-revision conflicts seen",
                c.equivocations,
            ),
            (
                "steunpunt_purged_expired",
                "Records dropped because they expired",
                c.purged_expired,
            ),
            (
                "steunpunt_purged_untrusted",
                "Records dropped because their author is no longer trusted",
                c.purged_untrusted,
            ),
            (
                "steunpunt_published",
                "Own records published or withdrawn",
                c.published,
            ),
            (
                "steunpunt_renewed",
                "Own records renewed automatically",
                c.renewed,
            ),
            (
                "steunpunt_store_write_failures",
                "Writes to the store that failed (disk full, IO errors)",
                c.store_failures,
            ),
        ] {
            ConstCounter::new(value).encode(encoder.encode_descriptor(
                name,
                help,
                None,
                MetricType::Counter,
            )?)?;
        }
        ConstGauge::new(records).encode(encoder.encode_descriptor(
            "steunpunt_records",
            "Records held, withdrawals included",
            None,
            MetricType::Gauge,
        )?)?;
        ConstGauge::new(i64::from(summary.writes_failing.is_none())).encode(
            encoder.encode_descriptor(
                "steunpunt_store_writable",
                "1 while writes to the store succeed, 0 while they fail (disk full)",
                None,
                MetricType::Gauge,
            )?,
        )?;
        ConstGauge::new(trusted).encode(encoder.encode_descriptor(
            "steunpunt_trusted_steunpunten",
            "Steunpunten trusted, ourselves included",
            None,
            MetricType::Gauge,
        )?)?;
        Ok(())
    }
}

/// `GET /metrics`: OpenMetrics or the classic Prometheus text format, as `Accept` asks.
pub async fn serve(
    State(state): State<ApiState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &state.registry)
        .map_err(ApiError::internal)?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = Format::negotiate(accept);
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::VARY, "Accept"),
        ],
        render(&text, format),
    ))
}
