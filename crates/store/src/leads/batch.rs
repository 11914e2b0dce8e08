//! Group commit for public submissions: concurrent complaints are written together in one
//! transaction and each caller is answered only after that transaction has committed. Every
//! submission is as durable as if it had its own commit, but a burst pays for one `fsync`
//! instead of one each (the public page must take hundreds a second on SQLite).
//!
//! If a shared transaction fails, its submissions are retried one by one, so one bad row
//! never fails another's; one whose lead or ticket code was taken gets new codes and is
//! retried.

use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::intake::{write_complaint, Prepared, Ticket};
use crate::{Store, StoreError};

struct Job {
    prepared: Prepared,
    now: OffsetDateTime,
    reply: oneshot::Sender<Result<Ticket, StoreError>>,
}

/// The queue in front of the one writer task.
#[derive(Clone, Debug)]
pub struct SubmitQueue {
    tx: mpsc::Sender<Job>,
}

impl SubmitQueue {
    /// Starts the writer task; it writes at most `max_batch` submissions per transaction and
    /// ends when every handle is dropped.
    pub fn start(store: Store, max_batch: usize) -> SubmitQueue {
        let (tx, rx) = mpsc::channel(max_batch.max(1) * 4);
        tokio::spawn(run(store, rx, max_batch.max(1)));
        SubmitQueue { tx }
    }

    /// Writes `prepared` and returns its ticket once it is committed.
    #[tracing::instrument(skip_all)]
    pub async fn submit(
        &self,
        prepared: Prepared,
        now: OffsetDateTime,
    ) -> Result<Ticket, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job {
                prepared,
                now,
                reply,
            })
            .await
            .map_err(|_| StoreError::Other("提交队列已关闭".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Other("提交队列已关闭".into()))?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>, max_batch: usize) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        match write_all(&store, &jobs).await {
            Ok(()) => {
                for job in jobs {
                    let ticket = job.prepared.ticket();
                    let _ = job.reply.send(Ok(ticket));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, batch = jobs.len(), "batch write failed; writing one by one");
                for mut job in jobs {
                    let mut result = write_all(&store, std::slice::from_ref(&job)).await;
                    for _ in 0..3 {
                        match &result {
                            Err(StoreError::Database(e)) if StoreError::is_unique_violation(e) => {
                                job.prepared.redraw_codes();
                                result = write_all(&store, std::slice::from_ref(&job)).await;
                            }
                            _ => break,
                        }
                    }
                    let _ = job.reply.send(result.map(|()| job.prepared.ticket()));
                }
            }
        }
    }
}

async fn write_all(store: &Store, jobs: &[Job]) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for job in jobs {
        write_complaint(&mut tx, &job.prepared, job.now).await?;
    }
    tx.commit().await?;
    Ok(())
}
