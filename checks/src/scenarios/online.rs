//! Chapitre 15 : le chat en ligne. Ce que regarde l'exploitation
//! (`/health`, `/metrics`), plusieurs processus sur une même base
//! PostgreSQL et un même Redis, et les pannes : la base absente au
//! démarrage ou arrêtée en cours de route, Redis arrêté longtemps.
//!
//! Le PostgreSQL et le Redis sont ceux du contexte (voir `Ctx::start_with`) :
//! une base neuve par serveur lancé, sauf quand une vérification en donne
//! une à plusieurs processus.
//!
//! Un sous-module par sujet : [`watch`] (`/health`, `/metrics`),
//! [`processes`] (plusieurs processus, un seul chat) et [`outages`] (les
//! pannes) ; ce fichier garde ce qu'ils partagent.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::Failure;
use crate::client::Client;

mod outages;
mod processes;
mod watch;

pub(super) use outages::{database_missing, database_outage, redis_long_outage};
pub(crate) use processes::online_everywhere;
pub(super) use processes::{
    late_process, processes_flood, processes_login, processes_presence, processes_share,
};
pub(super) use watch::{health, metrics};

/// Le temps laissé à un accusé quand la base ne répond pas : la page en
/// attend 5 s, le chapitre renonce à la base bien avant.
const ACK_WAIT: Duration = Duration::from_secs(10);

/// Attend `new message` avec exactement `({ from, text }, id)`.
async fn expect_posted(
    client: &mut Client,
    from: &str,
    text: &str,
    id: i64,
    why: &str,
) -> Result<(), Failure> {
    let expected = [json!({ "from": from, "text": text }), json!(id)];
    client.expect(&expected, why).await
}
