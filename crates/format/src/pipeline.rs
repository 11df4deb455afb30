//! An ordered parallel map for streams of blocks: one producer thread, `workers` threads that
//! transform blocks (compress or inflate), and the caller's thread as the sink, which sees the
//! results in the producer's order. At most `in_flight` blocks exist at once, so memory stays
//! bounded whatever the size of the database.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::error::{Error, Result};
use crate::seams::CancelToken;

/// Hands items from the producer to the workers.
#[allow(missing_debug_implementations)] // channels and a token: nothing to show
pub struct Feed<'a, T> {
    jobs: &'a SyncSender<(u64, T)>,
    permits: &'a SyncSender<()>,
    next: u64,
    cancel: &'a CancelToken,
}

impl<T> Feed<'_, T> {
    /// Sends one item; fails when the consumer has stopped or the job was cancelled.
    pub fn send(&mut self, item: T) -> Result<()> {
        self.cancel.check()?;
        self.permits.send(()).map_err(|_| stopped())?;
        self.jobs.send((self.next, item)).map_err(|_| stopped())?;
        self.next += 1;
        Ok(())
    }
}

fn stopped() -> Error {
    // Only seen when the sink already failed; its error is the one reported.
    Error::cancelled()
}

/// Runs `producer`, maps each item with `work` on `workers` threads, and feeds the results to
/// `sink` in order. The first error in stream order wins; a producer error counts as coming
/// after every item it sent.
pub fn run<T, U, P, W, S>(
    workers: usize,
    in_flight: usize,
    cancel: &CancelToken,
    producer: P,
    work: W,
    mut sink: S,
) -> Result<()>
where
    T: Send,
    U: Send,
    P: FnOnce(&mut Feed<'_, T>) -> Result<()> + Send,
    W: Fn(T) -> Result<U> + Sync,
    S: FnMut(U) -> Result<()>,
{
    let workers = workers.max(1);
    let in_flight = in_flight.max(workers);
    let (job_tx, job_rx) = sync_channel::<(u64, T)>(workers);
    let (res_tx, res_rx) = sync_channel::<(u64, Result<U>)>(workers);
    let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let work = &work;

    thread::scope(|scope| {
        let producer_handle = scope.spawn(move || {
            let mut feed = Feed { jobs: &job_tx, permits: &permit_tx, next: 0, cancel };
            let r = producer(&mut feed);
            (r, feed.next)
        });
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            let res_tx = res_tx.clone();
            scope.spawn(move || worker(&job_rx, &res_tx, work));
        }
        // Only the workers hold the job receiver: once a stopped sink has made them all exit,
        // a producer blocked on a full job queue is released instead of waiting forever.
        drop(job_rx);
        drop(res_tx);

        let sink_result = drain(&res_rx, &permit_rx, &mut sink, cancel);
        // Unblock everyone before joining: a stopped sink drops its receivers.
        drop(res_rx);
        drop(permit_rx);
        let (produced, sent) = producer_handle
            .join()
            .unwrap_or_else(|_| (Err(Error::new(crate::error::ErrorCode::Io, "reader thread panicked")), 0));
        match sink_result {
            Err(e) => Err(e),
            Ok(consumed) if consumed == sent => produced,
            Ok(_) => {
                produced.and(Err(Error::new(crate::error::ErrorCode::Io, "a worker thread stopped early")))
            }
        }
    })
}

fn worker<T, U, W: Fn(T) -> Result<U>>(
    jobs: &Mutex<Receiver<(u64, T)>>,
    results: &SyncSender<(u64, Result<U>)>,
    work: &W,
) {
    loop {
        let next = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, item)) = next else { return };
        if results.send((seq, work(item))).is_err() {
            return;
        }
    }
}

fn drain<U, S: FnMut(U) -> Result<()>>(
    results: &Receiver<(u64, Result<U>)>,
    permits: &Receiver<()>,
    sink: &mut S,
    cancel: &CancelToken,
) -> Result<u64> {
    let mut pending: BTreeMap<u64, Result<U>> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, r) in results.iter() {
        pending.insert(seq, r);
        while let Some(r) = pending.remove(&next) {
            let item = r?;
            cancel.check()?;
            sink(item)?;
            let _ = permits.recv();
            next += 1;
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn keeps_order_and_maps_everything() {
        let mut out = Vec::new();
        run(
            3,
            4,
            &CancelToken::new(),
            |f| (0..1000u32).try_for_each(|i| f.send(i)),
            |i| Ok(i * 2),
            |x| {
                out.push(x);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out, (0..1000u32).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn first_error_in_order_wins() {
        let r = run(
            2,
            4,
            &CancelToken::new(),
            |f| (0..100u32).try_for_each(|i| f.send(i)),
            |i| {
                if i == 10 {
                    Err(Error::new(ErrorCode::BackupDamaged, "ten"))
                } else if i == 50 {
                    Err(Error::invalid("fifty"))
                } else {
                    Ok(i)
                }
            },
            |_| Ok(()),
        );
        assert_eq!(r.unwrap_err().message(), "ten");
    }

    #[test]
    fn producer_error_is_reported_after_items() {
        let mut n = 0;
        let r = run(
            2,
            4,
            &CancelToken::new(),
            |f| {
                (0..5u32).try_for_each(|i| f.send(i))?;
                Err(Error::new(ErrorCode::BackupTruncated, "cut"))
            },
            Ok,
            |_| {
                n += 1;
                Ok(())
            },
        );
        assert_eq!(r.unwrap_err().code(), ErrorCode::BackupTruncated);
        assert_eq!(n, 5);
    }

    #[test]
    fn sink_error_stops_a_long_producer() {
        let r = run(
            2,
            4,
            &CancelToken::new(),
            |f| (0..u32::MAX).try_for_each(|i| f.send(i)),
            Ok,
            |i| {
                if i == 3 { Err(Error::invalid("stop")) } else { Ok(()) }
            },
        );
        assert_eq!(r.unwrap_err().message(), "stop");
    }

    /// The sink stops while the result and job queues are full and the producer waits on the
    /// job queue: the workers exit, and the producer must be released too (this once hung).
    #[test]
    fn a_sink_that_stops_with_full_queues_does_not_hang() {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let r = run(
                2,
                64,
                &CancelToken::new(),
                |f| (0..u32::MAX).try_for_each(|i| f.send(i)),
                Ok,
                |_| {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    Err(Error::invalid("stop"))
                },
            );
            let _ = done_tx.send(r.map_err(|e| e.message().to_owned()));
        });
        let r = done_rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the pipeline hung");
        assert_eq!(r.unwrap_err(), "stop");
    }

    #[test]
    fn cancel_stops() {
        let c = CancelToken::new();
        let c2 = c.clone();
        let r = run(
            2,
            4,
            &c,
            |f| (0..u32::MAX).try_for_each(|i| f.send(i)),
            Ok,
            |i| {
                if i == 5 {
                    c2.cancel();
                }
                Ok(())
            },
        );
        assert_eq!(r.unwrap_err().code(), ErrorCode::Cancelled);
    }
}
