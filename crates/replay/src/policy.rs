//! The policies a replay compares and what the drivers tell the server.

use std::fmt;
use std::str::FromStr;

/// How the site is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// No limits at all: every car at its port's maximum from plug-in.
    Uncontrolled,
    /// Equal shares under every cap.
    RoundRobin,
    /// Earliest deadline first.
    Edf,
    /// Least laxity first.
    Llf,
    /// The optimizer, as the server runs it.
    Optimal,
    /// The offline optimum with every session known in advance: the upper bound.
    Hindsight,
}

impl Policy {
    pub const ALL: [Self; 6] = [
        Self::Uncontrolled,
        Self::RoundRobin,
        Self::Edf,
        Self::Llf,
        Self::Optimal,
        Self::Hindsight,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uncontrolled => "uncontrolled",
            Self::RoundRobin => "round-robin",
            Self::Edf => "edf",
            Self::Llf => "llf",
            Self::Optimal => "optimal",
            Self::Hindsight => "hindsight",
        }
    }

    /// Parses a list of `--policy` values; `all` stands for every policy.
    ///
    /// # Errors
    /// The first unknown name.
    pub fn parse_list(values: &[String]) -> Result<Vec<Self>, String> {
        let mut out = Vec::new();
        for value in values {
            let add: Vec<Self> = if value == "all" {
                Self::ALL.to_vec()
            } else {
                vec![value.parse()?]
            };
            for policy in add {
                if !out.contains(&policy) {
                    out.push(policy);
                }
            }
        }
        if out.is_empty() {
            out.push(Self::Optimal);
        }
        Ok(out)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown policy `{s}`: use uncontrolled, round-robin, edf, llf, optimal, \
                     hindsight or all"
                )
            })
    }
}

/// What drivers tell the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Info {
    /// Need = the energy the car took, departure = the actual one (research simulators).
    Perfect,
    /// The driver's own requested kWh and estimated departure; silent drivers get the
    /// server's default.
    Declared,
}

impl Info {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Perfect => "perfect",
            Self::Declared => "declared",
        }
    }
}

impl FromStr for Info {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "perfect" => Ok(Self::Perfect),
            "declared" => Ok(Self::Declared),
            other => Err(format!("unknown --info `{other}`: use perfect or declared")),
        }
    }
}
