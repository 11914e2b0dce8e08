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
}

impl AppState {
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}
