//! Headroom for arrivals: over OCPI a car that plugs in draws its port's maximum until its
//! first profile reaches it (the next poll, then a dispatch), so a plan that fills a circuit
//! to its cap lets every arrival push it over. Each circuit can keep power free for that.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chargeplan_core::{Circuit, Port, PortId};

/// How much of each circuit's cap a plan leaves free for cars that arrive before their first
/// limit. Every circuit keeps it on its own (a parent's headroom is not the sum of its
/// children's): it covers one arrival anywhere under the circuit between two passes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArrivalHeadroom {
    /// Nothing kept free: the plan may fill every cap (arrivals go over until limited).
    None,
    /// The largest maximum among the circuit's free controllable ports: one arrival anywhere
    /// under the circuit keeps it within its cap.
    OnePort,
    /// At most this many kW, and never more than the free ports under the circuit can draw.
    Kw(f64),
}

impl ArrivalHeadroom {
    /// The headroom of each circuit (by id) given which ports are free: the controllable ports
    /// without an open session. A circuit without free ports under it keeps none.
    pub fn by_circuit(
        self,
        circuits: &[Circuit],
        ports: &[Port],
        occupied: &HashSet<&PortId>,
    ) -> HashMap<String, f64> {
        let parent: HashMap<&str, Option<&str>> = circuits
            .iter()
            .map(|c| (c.id.as_str(), c.parent.as_ref().map(|p| p.as_str())))
            .collect();
        // Free ports' maxima under each circuit, at any depth.
        let mut free: HashMap<&str, Vec<f64>> = HashMap::new();
        for port in ports
            .iter()
            .filter(|p| p.controllable && !occupied.contains(&p.id))
        {
            let mut at = Some(port.circuit_id.as_str());
            let mut seen = 0;
            while let Some(id) = at.filter(|_| seen <= circuits.len()) {
                free.entry(id).or_default().push(port.max_power.get());
                at = parent.get(id).copied().flatten();
                seen += 1;
            }
        }
        free.into_iter()
            .map(|(id, maxima)| {
                let kw = match self {
                    Self::None => 0.0,
                    Self::OnePort => maxima.iter().copied().fold(0.0, f64::max),
                    Self::Kw(kw) => kw.min(maxima.iter().sum()),
                };
                (id.to_owned(), kw)
            })
            .filter(|(_, kw)| *kw > 0.0)
            .collect()
    }
}

impl fmt::Display for ArrivalHeadroom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::OnePort => f.write_str("one_port"),
            Self::Kw(kw) => write!(f, "{kw}"),
        }
    }
}

/// Why an arrival headroom setting cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an arrival headroom: give none, one_port, or a number of kW from 0 to 100000"
)]
pub struct BadHeadroom(String);

impl FromStr for ArrivalHeadroom {
    type Err = BadHeadroom;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "none" => Ok(Self::None),
            "one_port" => Ok(Self::OnePort),
            other => match other.parse::<f64>() {
                Ok(kw) if kw.is_finite() && (0.0..=100_000.0).contains(&kw) => Ok(Self::Kw(kw)),
                _ => Err(BadHeadroom(text.to_owned())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{CircuitId, Kilowatts, Phases, SiteId, VendorAccountId, VendorRef};

    use super::*;

    fn circuit(id: &str, parent: Option<&str>, cap: f64) -> Circuit {
        Circuit::new(
            CircuitId::parse(id).unwrap(),
            SiteId::parse("s").unwrap(),
            id,
            parent.map(|p| CircuitId::parse(p).unwrap()),
            Kilowatts::new(cap).unwrap(),
        )
        .unwrap()
    }

    fn port(id: &str, circuit: &str, kw: f64, controllable: bool) -> Port {
        Port::new(
            PortId::parse(id).unwrap(),
            SiteId::parse("s").unwrap(),
            CircuitId::parse(circuit).unwrap(),
            VendorRef::new(VendorAccountId::parse("v").unwrap(), "L", id, "1").unwrap(),
            Kilowatts::new(kw).unwrap(),
            Phases::One,
            230.0,
            controllable,
        )
        .unwrap()
    }

    #[test]
    fn each_circuit_keeps_room_for_one_arrival_on_its_own_free_ports() {
        let circuits = [
            circuit("main", None, 30.0),
            circuit("pod", Some("main"), 16.0),
        ];
        let ports = [
            port("a", "pod", 7.0, true),
            port("b", "pod", 11.0, true),
            port("c", "main", 22.0, false),
            port("d", "main", 3.7, true),
        ];
        let b = PortId::parse("b").unwrap();
        let occupied: HashSet<&PortId> = [&b].into();
        let one = ArrivalHeadroom::OnePort.by_circuit(&circuits, &ports, &occupied);
        // Free controllable: a (7, in the pod) and d (3.7, on main); c takes no profiles.
        assert_eq!(one["pod"], 7.0);
        assert_eq!(one["main"], 7.0);
        let kw = ArrivalHeadroom::Kw(10.0).by_circuit(&circuits, &ports, &occupied);
        assert_eq!(kw["pod"], 7.0);
        assert_eq!(kw["main"], 10.0);
        assert!(
            ArrivalHeadroom::None
                .by_circuit(&circuits, &ports, &occupied)
                .is_empty()
        );
    }

    #[test]
    fn a_full_circuit_keeps_nothing_free() {
        let circuits = [circuit("main", None, 30.0)];
        let ports = [port("a", "main", 7.0, true)];
        let a = PortId::parse("a").unwrap();
        let occupied: HashSet<&PortId> = [&a].into();
        assert!(
            ArrivalHeadroom::OnePort
                .by_circuit(&circuits, &ports, &occupied)
                .is_empty()
        );
    }

    #[test]
    fn settings_are_read_and_written_back_alike() {
        for text in ["none", "one_port", "2.5"] {
            let headroom: ArrivalHeadroom = text.parse().unwrap();
            assert_eq!(headroom.to_string(), text);
        }
        for bad in ["", "one port", "-1", "NaN", "1e9"] {
            assert!(bad.parse::<ArrivalHeadroom>().is_err(), "{bad}");
        }
    }
}
