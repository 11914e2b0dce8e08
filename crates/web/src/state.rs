//! The state every handler shares.

use std::sync::Arc;

use meijian_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::clock::Clock;
use crate::settings::WebSettings;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<WebSettings>,
    pub clock: Arc<dyn Clock>,
    pub metrics: PrometheusHandle,
    /// Name and number search of registry records (loaded in the background at start).
    pub search: Arc<meijian_store::registries::search_index::SearchIndex>,
    /// The public complaint desk: submission queue, form tokens, rate limits.
    pub desk: Arc<crate::public_desk::PublicDesk>,
    /// Rate limits and used tokens, shared by every server (decision 0014).
    pub shared: Arc<meijian_store::shared::SharedState>,
    /// Signs the device cookies of signing in.
    pub device_key: Arc<[u8]>,
}

impl AppState {
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The working-day calendar in force: the shipped table and the administrator's days.
    pub async fn calendar(
        &self,
    ) -> Result<meijian_domain::workdays::Calendar, crate::error::AppError> {
        Ok(meijian_store::calendar::calendar(&self.store).await?)
    }
}
