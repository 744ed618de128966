//! `FileStore` under faults: a full disk (a small tmpfs, or a loop-mounted ext2 image), and the
//! store document changed behind finauth's back (garbage, truncated, emptied, another identity's,
//! deleted, a directory, unreadable). Each gives a typed `Store` error naming the repair, or the
//! documented recovery; the document is never left corrupt and the guard count is never lost.
//! docs/FAULTS.md has the table these tests pin.
//!
//! The full-disk test needs root (to mount). Where nothing can be mounted it says so on stderr
//! and passes, unless `FINAUTH_REQUIRE_FAULTS=1`.

mod common;

use common::*;
use finauth::store::{AttemptOutcome, IdentityKey, StoreOp, StoreReply};
use finauth::{FileStore, PartnerAuth, Store};
use finauth_sandbox::Sandbox;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const WRONG: &str = "WrongSecret2026";

/// A small file system mounted for one test; unmounted (and its image removed) on drop, so a
/// failing test cleans up too.
struct SmallDisk {
    dir: PathBuf,
    image: Option<PathBuf>,
}

impl SmallDisk {
    /// A 256 KiB tmpfs, else a loop-mounted 1 MiB ext2 image; `None` (said loudly) if neither
    /// can be mounted here. `FINAUTH_FAULTS_DISK=ext2` skips the tmpfs (to test the other path).
    fn mount(name: &str) -> Option<SmallDisk> {
        let dir = temp_dir(name);
        std::fs::create_dir_all(&dir).unwrap();
        let tmpfs = if std::env::var("FINAUTH_FAULTS_DISK").as_deref() == Ok("ext2") {
            Err("skipped (FINAUTH_FAULTS_DISK=ext2)".to_owned())
        } else {
            run(Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
                .arg(&dir))
        };
        if tmpfs.is_ok() {
            return Some(SmallDisk { dir, image: None });
        }
        let image = dir.with_extension("img");
        let ext2 = std::fs::File::create(&image)
            .and_then(|f| f.set_len(1024 * 1024))
            .map_err(|e| e.to_string())
            .and_then(|()| run(Command::new("mkfs.ext2").args(["-q", "-F"]).arg(&image)))
            .and_then(|()| {
                run(Command::new("mount")
                    .args(["-o", "loop"])
                    .arg(&image)
                    .arg(&dir))
            });
        match ext2 {
            Ok(()) => Some(SmallDisk {
                dir,
                image: Some(image),
            }),
            Err(ext2) => {
                let _ = std::fs::remove_file(&image);
                let _ = std::fs::remove_dir(&dir);
                let why = format!(
                    "FULL-DISK FAULT TEST NOT RUN: cannot mount a small file system \
                     (tmpfs: {}; loop ext2: {ext2}); run as root to test it",
                    tmpfs.err().unwrap_or_default()
                );
                // Straight to the process's stderr: the test harness captures `eprintln!`.
                let _ = writeln!(std::io::stderr(), "\n*** {why} ***\n");
                assert!(
                    std::env::var("FINAUTH_REQUIRE_FAULTS").as_deref() != Ok("1"),
                    "{why} (FINAUTH_REQUIRE_FAULTS=1)"
                );
                None
            }
        }
    }

    fn filler(&self) -> PathBuf {
        self.dir.join("filler")
    }

    /// Writes until the file system says it is full, down to the last byte (and again after
    /// closing: ext2 gives back the blocks it had set aside for an open file).
    fn fill(&self) {
        loop {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.filler())
                .unwrap();
            let mut wrote = 0;
            for size in [64 * 1024, 4096, 512, 1] {
                let chunk = vec![0xa5u8; size];
                loop {
                    match f.write(&chunk).and_then(|n| f.sync_all().map(|()| n)) {
                        Ok(0) => break,
                        Ok(n) => wrote += n,
                        Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                        Err(e) => panic!("filling the disk: {e}"),
                    }
                }
            }
            drop(f);
            if wrote == 0 {
                break;
            }
        }
        let probe = std::fs::write(self.dir.join("probe"), [1u8; 64]);
        assert!(probe.is_err(), "the disk is full");
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
        let _ = std::fs::remove_file(self.dir.join("probe"));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if run(Command::new("umount").arg(&self.dir)).is_err() {
            // Busy (a file still open): detach it now, the kernel frees it when closed.
            let _ = run(Command::new("umount").arg("-l").arg(&self.dir));
        }
        let _ = std::fs::remove_dir(&self.dir);
        if let Some(image) = &self.image {
            let _ = std::fs::remove_file(image);
        }
    }
}

fn run(c: &mut Command) -> Result<(), String> {
    match c.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

fn auth(sb: &Sandbox, store: &Arc<dyn Store>, secret: &str, degrade: bool) -> PartnerAuth {
    builder(sb)
        .partner_secret(secret)
        .store(store.clone())
        .degrade_on_store_error(degrade)
        .backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(1),
        )
        .build()
        .unwrap()
}

/// The identity's document (the one `.json` file of the store).
fn document(dir: &Path) -> PathBuf {
    let docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(docs.len(), 1, "{docs:?}");
    docs.into_iter().next().unwrap()
}

/// The guard count in the document, which must parse.
fn stored_count(doc: &Path) -> u64 {
    let text = std::fs::read(doc).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&text)
        .unwrap_or_else(|e| panic!("{} is corrupt: {e}", doc.display()));
    v["failed_attempts"].as_u64().unwrap_or(0)
}

/// One wrong secret recorded in the store: the count a fault must not lose.
async fn record_one_failure(sb: &Sandbox, store: &Arc<dyn Store>) {
    let wrong = auth(sb, store, WRONG, false);
    let e = wrong.token().await.unwrap_err();
    assert_eq!(e.kind(), "INVALID_CREDENTIALS", "{e:?}");
    assert_eq!(wrong.guard_status().await.unwrap().failed_attempts, 1);
}

fn assert_store_error(what: &str, e: &finauth::Error, says: &str) {
    assert_eq!(e.kind(), "STORE", "{what}: {e:?}");
    let text = e.to_string();
    assert!(text.contains(says), "{what}: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_store_errors_and_never_costs_the_guard_its_count() {
    let Some(disk) = SmallDisk::mount("full-disk") else {
        return;
    };
    let sb = sandbox().await;
    let dir = disk.dir.join("store");
    let store: Arc<dyn Store> = Arc::new(FileStore::new(&dir).unwrap());
    record_one_failure(&sb, &store).await;
    let doc = document(&dir);
    let before = std::fs::read(&doc).unwrap();
    disk.fill();
    let sent = auths(&sb);

    let strict = auth(&sb, &store, SECRET, false);
    // Token refresh: the lease cannot be written, so no request goes out.
    let e = strict.token().await.unwrap_err();
    assert_store_error("refresh", &e, "No space left");
    // A guard update (the reservation of a different wrong secret): refused before sending.
    let other_wrong = auth(&sb, &store, "OtherWrong2026", false);
    let e = other_wrong.token().await.unwrap_err();
    assert_store_error("guard update", &e, "No space left");
    // The operator's reset must reach the store or fail.
    let e = strict.reset_lockout_guard().await.unwrap_err();
    assert_store_error("guard reset", &e, "No space left");
    assert_eq!(auths(&sb), sent, "nothing was sent without the guard");
    assert_eq!(
        std::fs::read(&doc).unwrap(),
        before,
        "the document is untouched"
    );

    // Every operation that writes, straight on the store: a typed error, the document whole.
    let key = IdentityKey::new("finicity", &sb.url(), PARTNER);
    assert!(
        doc.to_string_lossy().contains(&key.digest()),
        "the same identity"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let writes = [
        StoreOp::AcquireLease {
            holder: "fault-test".into(),
            ttl_ms: 30_000,
        },
        StoreOp::Reserve {
            fingerprint: "fp-of-another-secret".into(),
            max_failed_attempts: 3,
            ttl_ms: 30_000,
        },
        StoreOp::Settle {
            reservation: 424242,
            fingerprint: "fp-of-another-secret".into(),
            outcome: AttemptOutcome::CredentialFailure,
        },
        StoreOp::MarkLocked { code: 24302 },
        StoreOp::ResetGuard,
    ];
    for op in writes {
        let what = format!("{op:?}");
        let e = store.execute(&key, now, op).await.unwrap_err();
        assert_store_error(&what, &e, "No space left");
        assert_eq!(std::fs::read(&doc).unwrap(), before, "{what}");
    }
    // Reading needs no space: the count is there.
    match store.execute(&key, now, StoreOp::Load).await.unwrap() {
        StoreReply::Snapshot(state) => assert_eq!(state.failed_attempts, 1),
        other => panic!("{other:?}"),
    }

    // The default degrades: a process-local one-attempt guard, and the file keeps its count.
    let degraded = auth(&sb, &store, SECRET, true);
    degraded.token().await.unwrap();
    assert_eq!(stored_count(&doc), 1, "not lost while the disk is full");
    assert!(
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp")),
        "no temporary file left behind"
    );

    // Space returns: the same objects work again, from the count the file kept.
    disk.free();
    assert_eq!(stored_count(&doc), 1);
    assert_eq!(strict.guard_status().await.unwrap().failed_attempts, 1);
    // Past the 1 ms back-off, on the engine's coarse clock (a tick of up to 10 ms).
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    strict.token().await.unwrap();
    assert_eq!(stored_count(&doc), 0, "a success clears it, as always");
    strict.reset_lockout_guard().await.unwrap();
}

/// A store with one recorded failure, its document, and how many requests the sandbox had.
async fn tampered_setup(sb: &Sandbox, name: &str) -> (PathBuf, Arc<dyn Store>, PathBuf) {
    let dir = temp_dir(name);
    let store: Arc<dyn Store> = Arc::new(FileStore::new(&dir).unwrap());
    record_one_failure(sb, &store).await;
    let doc = document(&dir);
    assert_eq!(stored_count(&doc), 1);
    (dir, store, doc)
}

/// Every way the document can be changed behind finauth's back, with what the error must say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_changed_behind_finauths_back_is_a_store_error_naming_the_repair() {
    let sb = sandbox().await;
    // Another identity's document, to copy over ours.
    let other_dir = temp_dir("other-identity");
    let other: Arc<dyn Store> = Arc::new(FileStore::new(&other_dir).unwrap());
    let other_auth = builder(&sb)
        .partner_id("another-partner")
        .store(other.clone())
        .build()
        .unwrap();
    other_auth.guard_status().await.unwrap();
    let other_doc = document(&other_dir);

    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "garbage",
            Box::new(|d| std::fs::write(d, b"\x00\xffnot json at all {{{").unwrap()),
            "is corrupt",
        ),
        (
            "truncated",
            Box::new(|d| {
                let text = std::fs::read(d).unwrap();
                std::fs::write(d, &text[..text.len() / 2]).unwrap();
            }),
            "is corrupt",
        ),
        (
            "emptied",
            Box::new(|d| std::fs::write(d, b"").unwrap()),
            "is empty",
        ),
        (
            "another identity's",
            Box::new(move |d| {
                std::fs::copy(&other_doc, d).unwrap();
            }),
            "another identity",
        ),
        (
            "deleted",
            Box::new(|d| std::fs::remove_file(d).unwrap()),
            "is missing",
        ),
        (
            "a directory",
            Box::new(|d| {
                std::fs::remove_file(d).unwrap();
                std::fs::create_dir(d).unwrap();
            }),
            "must be a regular file",
        ),
    ];
    for (what, tamper, says) in cases {
        let (dir, store, doc) = tampered_setup(&sb, "tampered").await;
        tamper(&doc);
        let tampered = snapshot(&doc);
        let sent = auths(&sb);

        let strict = auth(&sb, &store, SECRET, false);
        let e = strict.guard_status().await.unwrap_err();
        assert_store_error(what, &e, says);
        assert_store_error(what, &e, "finauth guard reset");
        let e = strict.token().await.unwrap_err();
        assert_store_error(what, &e, says);
        assert_eq!(auths(&sb), sent, "{what}: nothing sent without the guard");

        // The default degrades to a one-attempt local guard, and never rewrites the document.
        let degraded = auth(&sb, &store, SECRET, true);
        degraded.token().await.unwrap();
        assert_eq!(
            snapshot(&doc),
            tampered,
            "{what}: the document is left as found"
        );

        // The documented recovery: the operator's reset rewrites it (a directory has to be
        // removed first).
        if doc.is_dir() {
            let e = strict.reset_lockout_guard().await.unwrap_err();
            assert_eq!(e.kind(), "STORE", "{what}");
            std::fs::remove_dir(&doc).unwrap();
        }
        strict.reset_lockout_guard().await.unwrap();
        assert_eq!(stored_count(&doc), 0, "{what}");
        strict.token().await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&other_dir);
}

/// The document's bytes, or a marker for what it is when it is not a file.
fn snapshot(doc: &Path) -> Vec<u8> {
    if doc.is_dir() {
        b"<directory>".to_vec()
    } else {
        std::fs::read(doc).unwrap_or_else(|_| b"<missing>".to_vec())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_both_files_starts_the_identity_over_on_purpose() {
    let sb = sandbox().await;
    let (dir, store, doc) = tampered_setup(&sb, "deleted-both").await;
    std::fs::remove_file(&doc).unwrap();
    std::fs::remove_file(doc.with_extension("lock")).unwrap();
    let strict = auth(&sb, &store, SECRET, false);
    assert_eq!(strict.guard_status().await.unwrap().failed_attempts, 0);
    strict.token().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Root reads any file, so the unreadable document is tried by a child process running as
/// `nobody` (the store handed over to it first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_document_is_a_store_error_naming_the_repair() {
    let sb = sandbox().await;
    let (dir, _store, doc) = tampered_setup(&sb, "unreadable").await;
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        // Not root: the document itself can be made unreadable to this very process.
        std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o000)).unwrap();
        let store: Arc<dyn Store> = Arc::new(FileStore::new(&dir).unwrap());
        let e = auth(&sb, &store, SECRET, false)
            .guard_status()
            .await
            .unwrap_err();
        assert_store_error("unreadable", &e, "cannot be opened");
    } else {
        const NOBODY: u32 = 65534;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            std::os::unix::fs::chown(entry.path(), Some(NOBODY), Some(NOBODY)).unwrap();
        }
        std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY)).unwrap();
        std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o000)).unwrap();
        let mut child = child_command(&[
            ("FINAUTH_FAULTS_CHILD_DIR", dir.to_str().unwrap()),
            ("FINAUTH_FAULTS_CHILD_URL", &sb.url()),
        ]);
        std::os::unix::process::CommandExt::uid(&mut child, NOBODY);
        std::os::unix::process::CommandExt::gid(&mut child, NOBODY);
        let out = tokio::task::spawn_blocking(move || child.output().unwrap())
            .await
            .unwrap();
        let outcome = outcome(out);
        assert!(outcome.starts_with("STORE:"), "{outcome}");
        assert!(outcome.contains("cannot be opened"), "{outcome}");
        assert!(outcome.contains("finauth guard reset"), "{outcome}");
    }
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(stored_count(&doc), 1, "the count is still there");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the unprivileged child runs: the guard status of the store it was given.
#[tokio::test]
async fn child_process_entry() {
    let (Ok(dir), Ok(url)) = (
        std::env::var("FINAUTH_FAULTS_CHILD_DIR"),
        std::env::var("FINAUTH_FAULTS_CHILD_URL"),
    ) else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(FileStore::new(&dir).unwrap());
    let auth = builder_for(&url)
        .store(store)
        .degrade_on_store_error(false)
        .build()
        .unwrap();
    let outcome = match auth.guard_status().await {
        Ok(g) => format!("OK:{}", g.failed_attempts),
        Err(e) => format!("{}:{e}", e.kind()),
    };
    println!("\nOUTCOME={outcome}");
}
