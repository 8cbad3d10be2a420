//! Le chapitre 5 (`chapters/ch05-broadcast`), tel quel, mais sur un seul fil
//! d'exécution (`flavor = "current_thread"`) : la mesure de référence de
//! `cargo xtask bench` pour le choix du runtime. Sur un fil, `support` diffuse
//! par sa voie rapide (un seul encodage), sûre parce qu'aucune file ne se
//! vide pendant une diffusion ; sur plusieurs, le chapitre dépose le message
//! destinataire par destinataire. Un test vérifie que ce fichier ne diffère
//! du chapitre que par cette ligne.

use axum::Router;
use support::{SocketRef, Text, in_order};
use tower_http::services::ServeDir;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let (layer, io) = support::socket_io();

    io.ns(
        "/",
        in_order(async |socket: SocketRef| {
            // `in_order` : les messages d'un même client sont relayés dans leur
            // ordre d'arrivée, même quand tokio répartit le travail sur
            // plusieurs cœurs.
            socket.on(
                "new message",
                in_order(async |socket: SocketRef, Text(msg): Text| {
                    println!("message: {msg}");
                    // `socket.broadcast.emit('new message', msg)` : tout le
                    // monde, sauf `socket` lui-même.
                    socket.broadcast().emit("new message", &msg).await.ok();
                }),
            );

            // Écouter d'abord, afficher ensuite (chapitre 3).
            println!("Un client vient de se connecter");
        }),
    );

    let app = Router::new()
        .fallback_service(ServeDir::new(support::client_dir("ch05-broadcast")))
        .layer(layer);

    support::listen_with(app, io).await
}

#[cfg(test)]
mod tests {
    /// Le code sous l'en-tête, sans les ancres du livre.
    fn code(text: &str) -> String {
        text.lines()
            .skip_while(|l| l.starts_with("//!") || l.is_empty())
            .filter(|l| !l.trim_start().starts_with("// ANCHOR"))
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn seule_la_ligne_du_runtime_differe_du_chapitre_5() {
        let chapter = include_str!("../../../chapters/ch05-broadcast/src/main.rs");
        let expected = code(chapter).replace(
            "#[tokio::main]",
            "#[tokio::main(flavor = \"current_thread\")]",
        );
        assert_eq!(
            code(include_str!("main.rs")).trim_end(),
            expected.trim_end()
        );
    }
}
