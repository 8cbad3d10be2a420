//! La ligne de commande de `loadgen` : le scénario, les ports et pids des
//! serveurs, le nombre de clients, le débit, les durées ; bornée, pour que
//! le générateur s'arrête toujours de lui-même.

/// Limite absolue d'un scénario : au-delà, on arrête et on le dit.
const MAX_CLIENTS: usize = 20_000;
const MAX_SECONDS: f64 = 120.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scenario {
    Rate,
    Saturate,
    Idle,
    /// Scénario (e) : `--senders` émetteurs parmi les clients, chacun avec
    /// un seul message en route.
    Senders,
}

#[derive(Debug)]
pub(crate) struct Args {
    pub(crate) ports: Vec<u16>,
    pub(crate) pids: Vec<u32>,
    pub(crate) scenario: Scenario,
    pub(crate) clients: usize,
    pub(crate) rate: f64,
    pub(crate) seconds: f64,
    pub(crate) window: u64,
    pub(crate) drain: f64,
    pub(crate) settle: f64,
    pub(crate) stalled: usize,
    pub(crate) nicknames: bool,
    /// Émetteurs du scénario (e).
    pub(crate) senders: usize,
}

pub(crate) fn parse_args() -> Result<Args, String> {
    parse(std::env::args().skip(1))
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        ports: Vec::new(),
        pids: Vec::new(),
        scenario: Scenario::Rate,
        clients: 1000,
        rate: 100.0,
        seconds: 10.0,
        window: 100,
        drain: 30.0,
        settle: 2.0,
        stalled: 0,
        nicknames: false,
        senders: 100,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} attend une valeur"));
        let bad = |v: &str| format!("valeur invalide pour {flag} : « {v} »");
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                args.ports = v
                    .split(',')
                    .map(|p| p.parse().ok().filter(|&p: &u16| p != 0))
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad(&v))?;
            }
            "--pid" => {
                let v = value()?;
                args.pids = v
                    .split(',')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad(&v))?;
            }
            "--scenario" => {
                let v = value()?;
                args.scenario = match v.as_str() {
                    "rate" => Scenario::Rate,
                    "saturate" => Scenario::Saturate,
                    "idle" => Scenario::Idle,
                    "senders" => Scenario::Senders,
                    _ => return Err(bad(&v)),
                }
            }
            "--clients" => {
                let v = value()?;
                args.clients = v.parse().map_err(|_| bad(&v))?;
            }
            "--rate" => {
                let v = value()?;
                args.rate = v.parse().map_err(|_| bad(&v))?;
            }
            "--seconds" => {
                let v = value()?;
                args.seconds = v.parse().map_err(|_| bad(&v))?;
            }
            "--window" => {
                let v = value()?;
                args.window = v.parse().map_err(|_| bad(&v))?;
            }
            "--drain" => {
                let v = value()?;
                args.drain = v.parse().map_err(|_| bad(&v))?;
            }
            "--settle" => {
                let v = value()?;
                args.settle = v.parse().map_err(|_| bad(&v))?;
            }
            "--stalled" => {
                let v = value()?;
                args.stalled = v.parse().map_err(|_| bad(&v))?;
            }
            "--senders" => {
                let v = value()?;
                args.senders = v.parse().map_err(|_| bad(&v))?;
            }
            "--nicknames" => args.nicknames = true,
            other => return Err(format!("option inconnue : « {other} »")),
        }
    }
    if args.ports.is_empty() {
        return Err("--port est obligatoire".into());
    }
    let min_clients = if args.scenario == Scenario::Idle {
        1
    } else {
        2
    };
    if !(min_clients..=MAX_CLIENTS).contains(&args.clients) {
        return Err(format!(
            "--clients doit être entre {min_clients} et {MAX_CLIENTS}"
        ));
    }
    for (name, v) in [
        ("--seconds", args.seconds),
        ("--drain", args.drain),
        ("--settle", args.settle),
    ] {
        if !(v > 0.0 && v <= MAX_SECONDS) {
            return Err(format!("{name} doit être entre 0 et {MAX_SECONDS} s"));
        }
    }
    if args.stalled + 2 > args.clients && args.stalled > 0 {
        return Err("--stalled doit laisser au moins un récepteur actif".into());
    }
    if !(args.rate > 0.0 && args.rate <= 100_000.0) || args.window == 0 {
        return Err("--rate et --window doivent être positifs".into());
    }
    if args.scenario == Scenario::Senders && !(1..=args.clients).contains(&args.senders) {
        return Err(format!(
            "--senders doit être entre 1 et le nombre de clients ({})",
            args.clients
        ));
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Args, String> {
        parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn senders_scenario_and_its_count() {
        let args = parse_str("--port 3000 --scenario senders --clients 1000 --senders 100")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.scenario, Scenario::Senders);
        assert_eq!((args.clients, args.senders), (1000, 100));
        assert_eq!(args.ports, [3000]);
        // Par défaut, cent émetteurs.
        let args = parse_str("--port 1 --scenario senders").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.senders, 100);
    }

    #[test]
    fn senders_must_be_among_the_clients() {
        for line in [
            "--port 1 --scenario senders --clients 50 --senders 51",
            "--port 1 --scenario senders --clients 50 --senders 0",
            "--port 1 --scenario senders --senders dix",
            "--port 1 --scenario senders --senders",
        ] {
            assert!(parse_str(line).is_err(), "{line}");
        }
        // Tous les clients peuvent parler.
        assert!(parse_str("--port 1 --scenario senders --clients 50 --senders 50").is_ok());
        // Hors du scénario (e), --senders ne compte pas.
        assert!(parse_str("--port 1 --scenario saturate --clients 50 --senders 51").is_ok());
    }

    #[test]
    fn mistakes_are_refused() {
        for line in [
            "--scenario senders",
            "--port 0",
            "--port 1 --scenario chorale",
            "--port 1 --clients 1",
            "--port 1 --bavard",
        ] {
            assert!(parse_str(line).is_err(), "{line}");
        }
    }
}
