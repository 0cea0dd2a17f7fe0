//! TEMPORARY stand-in for the lead's `SharingSettingsStore` (the "Sharing settings" commit),
//! so the board branch builds before it lands: every site has the default settings. Dropped
//! on rebase.

use async_trait::async_trait;
use chargeplan_core::{SharingSettings, SiteId};

use crate::StoreError;

/// A site's sharing settings.
#[async_trait]
pub trait SharingSettingsStore: Send + Sync {
    /// The site's settings (the defaults here).
    async fn get_sharing_settings(&self, site: &SiteId) -> Result<SharingSettings, StoreError>;
}

#[async_trait]
impl<T: crate::StoreAdmin + Send + Sync> SharingSettingsStore for T {
    async fn get_sharing_settings(&self, _site: &SiteId) -> Result<SharingSettings, StoreError> {
        Ok(SharingSettings::default())
    }
}
