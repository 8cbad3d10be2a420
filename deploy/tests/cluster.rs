//! `deploy/nginx/chat-cluster.conf` : deux processus du chapitre 12
//! derrière nginx, avec la configuration de l'annexe « Mettre en ligne »
//! (lue sur le disque), un vrai `redis-server` entre eux.
//!
//! - avec `ip_hash;` (l'affinité de session), un client en long-polling et
//!   un client WebSocket discutent à travers nginx, dans les deux sens, et
//!   les clients branchés directement sur chaque processus reçoivent aussi ;
//! - sans `ip_hash;`, nginx envoie les requêtes à tour de rôle : la requête
//!   qui suit la poignée de main du long-polling arrive au processus qui ne
//!   connaît pas la session, et reçoit « 400 Session ID unknown ». C'est ce
//!   que dit le livre.
//!
//! (Toutes les connexions viennent ici de 127.0.0.1 : avec `ip_hash`, nginx
//! les envoie toutes au même processus. C'est bien l'affinité voulue ; les
//! clients branchés directement sur A et sur B montrent que le chat couvre
//! quand même les deux.)
//!
//! Sans nginx ou sans Redis, le test n'est pas lancé, et un message visible le dit ; en
//! CI (variable `CI`), c'est une erreur.

mod common;

use std::path::Path;
use std::sync::Mutex;

use checks::nginx::{self, Nginx};
use checks::redis::RedisServer;
use checks::{Client, Server, Transport, WAIT, http};
use serde_json::{Value, json};

const TEST: &str = "deploy, chat-cluster.conf (ch12-cluster)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deux_processus_derriere_nginx() {
    let Some(program) = nginx::find_or_skip(TEST) else {
        return;
    };
    let redis = match RedisServer::start_or_skip(TEST).await {
        Ok(Some(redis)) => redis,
        Ok(None) => return,
        Err(failure) => panic!("{TEST} : Redis n'a pas pu démarrer : {failure:?}"),
    };
    let env = [("REDIS_URL", redis.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let logs = Mutex::new(Vec::new());
    let binary = Path::new(common::CH12);
    let a = Server::start(binary, &env, &logs)
        .await
        .unwrap_or_else(|f| panic!("A : {f:?}"));
    let b = Server::start(binary, &env, &logs)
        .await
        .unwrap_or_else(|f| panic!("B : {f:?}"));

    let port = nginx::free_port();
    let site = nginx::site("chat-cluster.conf");
    let site = nginx::replace(&site, "listen 80;", &format!("listen 127.0.0.1:{port};"));
    let site = nginx::replace(&site, "127.0.0.1:3000", &format!("127.0.0.1:{}", a.port()));
    let site = nginx::replace(&site, "127.0.0.1:3001", &format!("127.0.0.1:{}", b.port()));

    let mut sticky = Nginx::start(&program, &site, port);
    chat_through(&sticky, &a, &b).await;
    let follow_up = after_handshake(&sticky, "Rita").await;
    assert_eq!(
        follow_up.status,
        200,
        "avec ip_hash, la requête qui suit la poignée de main du long-polling arrive au \
         même processus et passe ; réponse : {} {}\n{}",
        follow_up.status,
        follow_up.text(),
        sticky.error_log()
    );
    sticky.stop();

    // La même configuration, sans affinité de session.
    let port = nginx::free_port();
    let round_robin = nginx::replace(&site, "ip_hash;", "");
    let round_robin = round_robin.replace(
        &format!("listen 127.0.0.1:{};", sticky.port()),
        &format!("listen 127.0.0.1:{port};"),
    );
    let plain = Nginx::start(&program, &round_robin, port);
    let follow_up = after_handshake(&plain, "Sam").await;
    assert!(
        follow_up.status == 400 && follow_up.text().contains("Session ID unknown"),
        "sans ip_hash, la requête qui suit la poignée de main du long-polling doit arriver \
         à l'autre processus et recevoir « 400 Session ID unknown » ; reçu : {} {}\n{}",
        follow_up.status,
        follow_up.text(),
        plain.error_log()
    );
}

/// Un client long-polling et un client WebSocket, à travers nginx, plus un
/// client branché directement sur chaque processus : chacun reçoit les
/// messages des clients de nginx, avec leur auteur.
async fn chat_through(proxy: &Nginx, a: &Server, b: &Server) {
    let join = |url: String, transport, pseudo: &'static str| async move {
        Client::connect_auth(&url, transport, pseudo, json!({ "pseudo": pseudo }))
            .await
            .unwrap_or_else(|f| panic!("{pseudo} ne peut pas se connecter ({url}) : {f:?}"))
    };
    let mut paul = join(proxy.url(), Transport::Polling, "Paul").await;
    let mut wendy = join(proxy.url(), Transport::WebSocket, "Wendy").await;
    let mut on_a = join(a.url(), Transport::WebSocket, "Alain").await;
    let mut on_b = join(b.url(), Transport::WebSocket, "Bea").await;
    let said = [
        (&paul, "Paul", "bonjour en long-polling"),
        (&wendy, "Wendy", "bonjour en WebSocket"),
    ];
    for (sender, from, text) in said {
        sender
            .send_text(text)
            .await
            .unwrap_or_else(|f| panic!("{from} n'a pas pu envoyer : {f:?}\n{}", proxy.error_log()));
    }
    // Deux auteurs différents : le chat ne promet pas d'ordre entre eux (le
    // POST du long-polling peut arriver après la trame WebSocket). On compare
    // donc ce que chacun a reçu, trié.
    let expected = |wants: &[(&str, &str)]| {
        let mut all: Vec<Value> = wants
            .iter()
            .map(|(from, text)| json!([{ "from": from, "text": text }]))
            .collect();
        all.sort_by_key(Value::to_string);
        all
    };
    let both = [
        ("Paul", "bonjour en long-polling"),
        ("Wendy", "bonjour en WebSocket"),
    ];
    for (client, name, wants) in [
        (&mut wendy, "Wendy", &both[..1]),
        (&mut paul, "Paul", &both[1..]),
        (&mut on_a, "Alain (sur A)", &both[..]),
        (&mut on_b, "Bea (sur B)", &both[..]),
    ] {
        let mut got = Vec::new();
        for _ in wants {
            match client.next(WAIT).await {
                Some(args) => got.push(Value::Array(args)),
                None => break,
            }
        }
        got.sort_by_key(Value::to_string);
        assert_eq!(
            got,
            expected(wants),
            "{name} doit recevoir les messages passés par nginx, avec leur auteur\n{}",
            proxy.error_log()
        );
    }
}

/// La poignée de main du long-polling à travers nginx (`GET`), puis la
/// requête qui la suit (`POST` du paquet de connexion, avec le pseudo) :
/// la réponse à celle-ci.
async fn after_handshake(proxy: &Nginx, pseudo: &str) -> http::Response {
    let open = http::get(proxy.port(), "/socket.io/?EIO=4&transport=polling")
        .await
        .unwrap_or_else(|f| panic!("poignée de main impossible : {f:?}"));
    let text = open.text();
    let sid = text
        .split("\"sid\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("pas d'identifiant de session dans « {text} »"));
    let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    let body = format!("40{}", json!({ "pseudo": pseudo }));
    http::post(proxy.port(), &target, &body)
        .await
        .unwrap_or_else(|f| panic!("deuxième requête impossible : {f:?}"))
}
