//! The `vpcsim` command line: a thin shell over the library. It parses flags, loads the
//! snapshot, runs the engine, prints, and owns every exit code (0 success, 2 usage or input
//! error; see README "Exit codes").

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use vpcsim::model::SubnetId;
use vpcsim::reach::Engine;
use vpcsim::report::{self, Style};
use vpcsim::snapshot;

#[derive(Parser)]
#[command(
    name = "vpcsim",
    version,
    about = "Offline simulator of AWS VPC routing: what every subnet can reach, and why",
    long_about = "vpcsim rebuilds an account's routing state from `aws ec2 describe-*` JSON (or a compact TOML \
topology), evaluates route tables exactly as EC2 does, and says what every subnet can reach: the internet \
through an internet gateway or NAT gateway, on-premises networks through a virtual private gateway, peered \
VPCs, transit gateways, middlebox interfaces, endpoints, blackholes. It never calls AWS.",
    after_help = "Examples:\n  vpcsim reach --snapshot scenarios/example-topology/topology.toml\n  vpcsim reach --snapshot ./describe-output/ --subnet subnet-0abc --format json\n  vpcsim trace --snapshot ./describe-output/ --from i-0abc --to 8.8.8.8\n  vpcsim trace --snapshot ./describe-output/ --from internet --to 203.0.113.10\n\nExit codes: 0 success, 2 usage or input error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour text output: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Copy, Clone, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// What each subnet can reach: one block per subnet with its effective route table, its
    /// internet class per family (public, outbound-only, isolated), the hosts the internet can
    /// reach, and every destination range with its disposition and path.
    #[command(
        after_help = "The address space of each family is split into disjoint ranges with one outcome each; \
together they cover 0.0.0.0/0 and ::/0 exactly.\n\nExample:\n  vpcsim reach --snapshot scenarios/example-topology/topology.toml --subnet subnet-0a000002"
    )]
    Reach {
        /// A directory of describe-* JSON files (any names, any layout, Batfish aws_configs too),
        /// one JSON file holding several describe-* keys, or a .toml topology.
        #[arg(long, value_name = "PATH")]
        snapshot: PathBuf,
        /// Only these subnets (repeat the flag for several). Default: every subnet.
        #[arg(long, value_name = "ID")]
        subnet: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The hop-by-hop path of one packet: each route table with the route that matched, each
    /// gateway, NAT gateway, appliance or peering connection, and the final disposition with
    /// explanations.
    #[command(
        after_help = "SOURCE is a subnet ID (vpcsim then assumes the host has a public address and says so), \
a network interface or instance ID, a private IP address inside a subnet, an internet or virtual private \
gateway ID (traffic entering the VPC through it, routed by its edge route table), or `internet` (with a \
public destination address owned by an interface).\n\nExamples:\n  vpcsim trace --snapshot snap/ --from subnet-0abc --to 8.8.8.8\n  vpcsim trace --snapshot snap/ --from 10.0.1.5 --to 10.1.0.7 --format json"
    )]
    Trace {
        #[arg(long, value_name = "PATH")]
        snapshot: PathBuf,
        /// Where the packet starts (see below).
        #[arg(long, value_name = "SOURCE")]
        from: String,
        /// The destination IPv4 or IPv6 address.
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn style(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    };
    Style { color }
}

fn load(path: &std::path::Path) -> anyhow::Result<snapshot::Loaded> {
    snapshot::load(path)
        .map_err(|e| anyhow::anyhow!("cannot import the snapshot {}:\n{e}", path.display()))
}

fn emit(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`vpcsim reach ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write the output"),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let style = style(cli.color);
    match cli.command {
        Command::Reach {
            snapshot,
            subnet,
            format,
        } => {
            let loaded = load(&snapshot)?;
            let net = &loaded.network;
            let engine = Engine::new(net);
            let ids: Vec<SubnetId> = if subnet.is_empty() {
                net.subnets.keys().cloned().collect()
            } else {
                let mut v = Vec::new();
                for s in &subnet {
                    let id = SubnetId::new(s.as_str());
                    if !net.subnets.contains_key(&id) {
                        anyhow::bail!(
                            "{s} is not in the snapshot {}; `vpcsim reach --snapshot {}` lists every subnet",
                            snapshot.display(),
                            snapshot.display()
                        );
                    }
                    v.push(id);
                }
                v
            };
            // Streamed: each batch of subnets is computed, written and dropped.
            let stream = engine.reach_stream(net, ids);
            let stdout = std::io::stdout().lock();
            let out = std::io::BufWriter::new(stdout);
            let written = match format {
                Format::Json => report::write_reach_json(out, stream, &loaded.diagnostics),
                Format::Text => {
                    eprint!("{}", report::diagnostics_text(&loaded.diagnostics));
                    if net.subnets.is_empty() {
                        eprintln!(
                            "note: {} describes no subnets ({} VPCs, {} route tables): nothing to report; add describe-subnets output",
                            snapshot.display(),
                            net.vpcs.len(),
                            net.route_tables.len()
                        );
                    }
                    report::write_reach_text(out, stream, style)
                }
            };
            match written {
                // A closed pipe (`vpcsim reach ... | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write the output"),
            }
        }
        Command::Trace {
            snapshot,
            from,
            to,
            format,
        } => {
            let dest: IpAddr = to
                .trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--to {to} is not an IPv4 or IPv6 address (give one address, such as 8.8.8.8, not a CIDR)"))?;
            let loaded = load(&snapshot)?;
            let engine = Engine::new(&loaded.network);
            let t = engine.trace(&loaded.network, &from, dest)?;
            match format {
                Format::Json => emit(&report::trace_json(&t, &loaded.diagnostics)),
                Format::Text => {
                    eprint!("{}", report::diagnostics_text(&loaded.diagnostics));
                    emit(&report::trace_text(&t, style))
                }
            }
        }
    }
}
