//! # Chapitre 1 : servir la page du chat
//!
//! Le point de départ : un serveur web qui sert le dossier
//! `client/ch01-static` tel qu'il est sur le disque. Pas encore de Socket.IO.
//!
//! Lancer : `cargo run -p ch01-static`, puis ouvrir <http://localhost:3000>.
//!
//! À essayer : la page s'affiche (titre « Socket.io », une liste vide et un
//! formulaire) ; modifiez `client/ch01-static/index.html` et rechargez la page
//! sans relancer le serveur ; une adresse inconnue, comme `/nope`, répond 404.

// ANCHOR: all
use axum::Router;
use tower_http::services::ServeDir;

// Le runtime de tokio : il lance `main` et répartit le travail sur tous les
// cœurs de la machine (Node.js, lui, n'a qu'un fil).
#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `app.use(express.static(join(__dirname, 'client')))` : le dossier du
    // client est servi tel quel. `GET /` y trouve `index.html`, ce que faisait
    // `res.sendFile(…)` dans la version Express.
    let app = Router::new().fallback_service(ServeDir::new(support::client_dir("ch01-static")));

    // `app.listen(3000, () => console.log('Adresse du serveur : …'))`
    support::listen(app).await
}
// ANCHOR_END: all
