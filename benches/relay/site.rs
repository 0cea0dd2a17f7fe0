//! The benchmark's site: members, open threads, and the texts posted into them.

use std::sync::Arc;

use chargeplan_control::ControlMetrics;
use chargeplan_control::relay::Relay;
use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, MemberId, Participant, ParticipantId, PhoneNumber, Site,
    SiteId, SystemClock, TokenUid, WhPerMile,
};
use chargeplan_store::{Store, StoreTarget};

/// What the owners and the waiting drivers text, in turn.
const OWNER_REPLIES: [&str; 4] = ["back in 20", "ok", "sorry, running late - 4pm", "on my way"];
const WAITER_REPLIES: [&str; 2] = ["thanks!", "I'm in the blue car by the stairs"];

pub struct World {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub relay: Relay,
    owners: Vec<PhoneNumber>,
    waiters: Vec<PhoneNumber>,
    _dir: tempfile::TempDir,
}

fn owner_phone(i: usize) -> PhoneNumber {
    PhoneNumber::parse(&format!("+1415600{i:04}")).expect("phone")
}

fn waiter_phone(i: usize) -> PhoneNumber {
    PhoneNumber::parse(&format!("+1415700{i:04}")).expect("phone")
}

impl World {
    pub async fn new(members: usize, threads: usize) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await?;
        store.migrate().await?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let now = clock.now();
        let site_id = SiteId::parse("bench")?;
        store
            .upsert_site(
                &Site::new(site_id.clone(), "Bench garage", "America/Los_Angeles", 5)?,
                now,
            )
            .await?;
        let main = CircuitId::parse("main")?;
        store
            .replace_circuits(
                &site_id,
                &[Circuit::new(
                    main,
                    site_id.clone(),
                    "Main",
                    None,
                    Kilowatts::new(500.0)?,
                )?],
                now,
            )
            .await?;
        let mut member_ids = Vec::with_capacity(members);
        for i in 0..members {
            let member = MemberId::generate(&mut rand::rng());
            let participant = Participant::new(
                ParticipantId::parse(&format!("member-{i}"))?,
                member.clone(),
                site_id.clone(),
                owner_phone(i),
                vec![TokenUid::parse(&format!("RFID-{i}"))?],
                WhPerMile::default(),
                now,
            )?;
            store.insert_participant(&participant).await?;
            member_ids.push(member);
        }
        let relay = Relay::new(store.clone(), clock.clone(), ControlMetrics::new());
        for (i, member) in member_ids.iter().take(threads).enumerate() {
            let outcome = relay
                .contact(
                    &waiter_phone(i),
                    member,
                    "are you leaving soon?",
                    &format!("setup-{i}"),
                )
                .await?;
            anyhow::ensure!(
                outcome.code.is_some(),
                "thread {i} did not open: {outcome:?}"
            );
        }
        Ok(Self {
            store,
            clock,
            relay,
            owners: (0..threads).map(owner_phone).collect(),
            waiters: (0..threads).map(waiter_phone).collect(),
            _dir: dir,
        })
    }

    /// The `i`-th text of the run: alternately an owner's and a waiting driver's reply, each
    /// into its own thread.
    pub fn text(&self, i: usize) -> (String, String) {
        let thread = (i / 2) % self.owners.len();
        if i.is_multiple_of(2) {
            let body = OWNER_REPLIES[(i / 2) % OWNER_REPLIES.len()];
            (self.owners[thread].as_e164().to_owned(), body.to_owned())
        } else {
            let body = WAITER_REPLIES[(i / 2) % WAITER_REPLIES.len()];
            (self.waiters[thread].as_e164().to_owned(), body.to_owned())
        }
    }
}
