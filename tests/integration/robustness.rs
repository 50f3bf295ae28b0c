//! What no user, careless or hostile, can make `influence` do: replace a folder it did not
//! write, panic on a closed stdout, or accept names that carry terminal control sequences.

use std::fs;

use crate::common::cli::{entries, failure, influence, read, repo};

#[test]
fn force_refuses_a_folder_of_the_users_own_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scenarios");
    fs::create_dir(&dir).expect("mkdir");
    fs::copy(repo("scenarios/south_caucasus.toml"), dir.join("x.toml")).expect("copy");
    fs::write(dir.join("notes.md"), "precious").expect("write");
    for force in [true, false] {
        let mut cmd = influence();
        cmd.current_dir(tmp.path())
            .args(["run", "scenarios/x.toml", "--runs", "20", "--out", "scenarios"]);
        if force {
            cmd.arg("--force");
        }
        let stderr = failure(&mut cmd);
        assert!(
            stderr.contains("is not an output of influence")
                && stderr.contains("never replaced, with or without --force"),
            "{stderr}"
        );
        assert_eq!(entries(&dir), ["notes.md", "x.toml"]);
        assert_eq!(read(&dir.join("notes.md")), "precious");
        assert_eq!(entries(tmp.path()), ["scenarios"]);
    }
}
