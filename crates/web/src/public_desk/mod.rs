//! The public complaint desk (投诉举报窗口): what stands between the internet and the lead
//! store for people who do not sign in — the group-commit queue, the signed form tokens, the
//! honeypot field and the per-address rate limits. The pages and the JSON API both go
//! through [`submit`] and [`lookup`], so both make the same checks in the same order.
//!
//! It never logs, and never puts into an error message, what a reporter typed about
//! themselves.

pub mod input;
pub mod limits;
pub mod token;

use std::net::IpAddr;
use std::sync::{Arc, Weak};

use meijian_domain::lead::Satisfaction;
use meijian_store::leads::batch::SubmitQueue;
use meijian_store::leads::intake::{self, NewComplaint, Ticket};
use meijian_store::leads::status::{self, PublicStatus};
use meijian_store::{Actor, Store, StoreError};

use crate::clock::Clock;
use crate::error::AppError;
use crate::settings::ComplaintSettings;
use crate::state::AppState;
use limits::AddressLimit;
use meijian_store::shared::SharedState;
use token::{FormTokens, TokenError};

/// The field a wrong ticket is reported on; code and secret are never told apart.
pub const TICKET_FIELD: &str = "查询码或查询密码";
pub const TICKET_MESSAGE: &str = "不正确，请核对后重新输入（字母不分大小写，空格和横线可省略）";

/// The desk's shared parts, one per application.
#[derive(Debug)]
pub struct PublicDesk {
    pub queue: SubmitQueue,
    pub tokens: FormTokens,
    pub submissions: AddressLimit,
    /// Status lookups, ratings, the public institution lookup and new form tokens.
    pub lookups: AddressLimit,
    /// The name suggestions of the form (each is a text scan of the registries): four times
    /// the lookup limit, since they follow typing.
    pub names: AddressLimit,
}

impl PublicDesk {
    /// Starts the writer task of the queue and a sweeper of the shared state; both end with
    /// the desk. Must run inside a Tokio runtime.
    pub fn start(
        store: Store,
        c: &ComplaintSettings,
        clock: Arc<dyn Clock>,
        shared: Arc<SharedState>,
        form_key: &[u8],
    ) -> Arc<PublicDesk> {
        let desk = Arc::new(PublicDesk {
            queue: SubmitQueue::start(store, c.max_batch),
            tokens: FormTokens::new(form_key, shared.clone()),
            submissions: AddressLimit::per_hour("complaint", c.submissions_per_hour),
            lookups: AddressLimit::per_minute("lookup", c.lookups_per_minute),
            names: AddressLimit::per_minute("names", c.lookups_per_minute.saturating_mul(4)),
        });
        tokio::spawn(sweep(Arc::downgrade(&desk), Arc::downgrade(&shared), clock));
        desk
    }
}

/// Every five minutes, drops recovered counts and expired tokens (on every server; the
/// deletes are idempotent).
async fn sweep(desk: Weak<PublicDesk>, shared: Weak<SharedState>, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    tick.tick().await;
    loop {
        tick.tick().await;
        let (Some(_desk), Some(shared)) = (desk.upgrade(), shared.upgrade()) else {
            break;
        };
        if let Err(e) = shared.sweep(clock.now()).await {
            tracing::warn!(error = %e, "sweeping rate limits and used tokens failed");
        }
    }
}

/// Why the desk did not take a submission or answer a lookup.
#[derive(Debug)]
pub enum Refused {
    /// The hidden field a person never sees was filled in.
    Honeypot,
    Token(TokenError),
    /// Over the address's limit; the time until the next request is allowed.
    TooMany(std::time::Duration),
    Failed(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::Failed(e)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Failed(AppError::from(e))
    }
}

/// "3 分钟" or "20 秒", rounded up.
pub fn wait_text(wait: std::time::Duration) -> String {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if secs > 60 {
        format!("{} 分钟", secs.div_ceil(60))
    } else {
        format!("{} 秒", secs.max(1))
    }
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Honeypot => AppError::Invalid {
                field: "表单".into(),
                message: "提交未成功，请刷新页面后重新填写".into(),
            },
            Refused::Token(e) => AppError::Invalid {
                field: "表单".into(),
                message: e.message().into(),
            },
            Refused::TooMany(wait) => AppError::TooManyRequests {
                retry_after: wait_text(wait),
            },
            Refused::Failed(e) => e,
        }
    }
}

/// Checks and stores a complaint from the public: honeypot, form token, the input itself,
/// the address's hourly limit, then the store's checks and the group commit. `complaint` is
/// the parsed input, or why it could not be parsed.
#[tracing::instrument(skip_all)]
pub async fn submit(
    state: &AppState,
    actor: Actor,
    client: IpAddr,
    form_token: &str,
    honeypot: &str,
    complaint: Result<NewComplaint, AppError>,
) -> Result<Ticket, Refused> {
    if !honeypot.trim().is_empty() {
        tracing::info!("complaint refused: honeypot field filled");
        return Err(Refused::Honeypot);
    }
    let now = state.now();
    let min_fill = time::Duration::seconds(state.settings.complaints.min_fill_seconds.into());
    let claim = state
        .desk
        .tokens
        .claim(form_token, now, min_fill)
        .await?
        .map_err(Refused::Token)?;
    let stored = async {
        let complaint = complaint?;
        state
            .desk
            .submissions
            .check(&state.shared, client, now)
            .await?;
        let calendar = state.calendar().await?;
        let prepared = intake::prepare_complaint(
            &state.store,
            &calendar,
            &state.settings.leads,
            state.settings.complaints.attachments,
            now,
            actor,
            None,
            complaint,
        )
        .await?;
        Ok::<_, Refused>(state.desk.queue.submit(prepared, now).await?)
    }
    .await;
    let ticket = match stored {
        Ok(ticket) => {
            claim.keep();
            ticket
        }
        Err(e) => {
            claim.give_back().await;
            return Err(e);
        }
    };
    tracing::info!(lead = %ticket.lead_code, "complaint received online");
    Ok(ticket)
}

fn wrong_ticket(e: StoreError) -> Refused {
    match e {
        StoreError::NotFound => Refused::Failed(AppError::Invalid {
            field: TICKET_FIELD.into(),
            message: TICKET_MESSAGE.into(),
        }),
        other => other.into(),
    }
}

/// The status behind a ticket, within the address's per-minute limit.
#[tracing::instrument(skip_all)]
pub async fn lookup(
    state: &AppState,
    client: IpAddr,
    ticket: &str,
    secret: &str,
) -> Result<PublicStatus, Refused> {
    state
        .desk
        .lookups
        .check(&state.shared, client, state.now())
        .await?;
    status::lookup(&state.store, ticket, secret)
        .await
        .map_err(wrong_ticket)
}

/// Records the reporter's satisfaction, within the same limit as lookups.
#[tracing::instrument(skip_all)]
pub async fn rate(
    state: &AppState,
    actor: &Actor,
    client: IpAddr,
    ticket: &str,
    secret: &str,
    satisfaction: &str,
) -> Result<(), Refused> {
    state
        .desk
        .lookups
        .check(&state.shared, client, state.now())
        .await?;
    let s = Satisfaction::from_code(satisfaction).ok_or_else(|| AppError::Invalid {
        field: "满意度".into(),
        message: "请选择满意、基本满意或不满意".into(),
    })?;
    status::rate(&state.store, actor, state.now(), ticket, secret, s)
        .await
        .map_err(wrong_ticket)
}

/// A ticket code or secret in groups of four, as printed for people: `ABCD EFGH JKLM`.
pub fn grouped(code: &str) -> String {
    let chars: Vec<char> = intake::normalise_code(code).chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_print_in_groups_of_four() {
        assert_eq!(grouped("abcdEFGH2345"), "ABCD EFGH 2345");
        assert_eq!(grouped("ABCDE"), "ABCD E");
    }

    #[test]
    fn waits_round_up() {
        assert_eq!(wait_text(std::time::Duration::from_millis(1500)), "2 秒");
        assert_eq!(wait_text(std::time::Duration::from_secs(170)), "3 分钟");
    }
}
