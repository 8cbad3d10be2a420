//! # Exercice 1 (chapitre ch01-static)
//!
//! Ce crate est une copie du serveur du chapitre : le chapitre lui-même reste
//! intact. Faites afficher au serveur, juste avant la ligne « Adresse du
//! serveur », le dossier qu'il sert :
//! `Dossier servi : /chemin/absolu/client/ch01-static`.
//!
//! Vérifier : `cargo xtask exercices ex01` ; un indice :
//! `cargo xtask exercices --indice ex01` ; tout effacer et repartir de
//! l'original : `cargo xtask exercices --recommencer ex01`.

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

    // TODO (exercice 1) : afficher « Dossier servi : <dossier> » ici, avant la
    // ligne « Adresse du serveur ».
    // `app.listen(3000, () => console.log('Adresse du serveur : …'))`
    support::listen(app).await
}
