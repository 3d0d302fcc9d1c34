//! The notifications a tenant would send on client creation: the sandbox
//! sends none, but counts, per channel, what its tenant's CLIENT_CREATED
//! templates would have sent for each client it created (an e-mail to a
//! client with an e-mail address, an SMS to one with a mobile phone).
//!
//! In: each client created. Out: counts since the sandbox started, served
//! at `GET /api/sandbox/notifications`. Never fails.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::tenant::{CreationChannels, NotificationCount, Tenant};

/// Counters shared by all handlers.
#[derive(Debug, Default)]
pub struct Notifications {
    channels: CreationChannels,
    clients: AtomicU64,
    email: AtomicU64,
    sms: AtomicU64,
}

impl Notifications {
    /// Counters for the tenant's creation templates.
    pub fn for_tenant(tenant: &Tenant) -> Self {
        Self {
            channels: tenant.creation_notifications(),
            ..Self::default()
        }
    }

    /// Whether any template fires on create.
    pub fn active(&self) -> bool {
        self.channels.any()
    }

    /// Counts what creating a client with these contact fields sends.
    pub fn created(&self, email: Option<&str>, mobile: Option<&str>) {
        let n = self.channels.for_client(email, mobile);
        if n.email || n.sms {
            self.clients.fetch_add(1, Ordering::Relaxed);
        }
        if n.email {
            self.email.fetch_add(1, Ordering::Relaxed);
        }
        if n.sms {
            self.sms.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What would have been sent so far.
    pub fn count(&self) -> NotificationCount {
        NotificationCount {
            clients: self.clients.load(Ordering::Relaxed),
            email: self.email.load(Ordering::Relaxed),
            sms: self.sms.load(Ordering::Relaxed),
        }
    }
}
