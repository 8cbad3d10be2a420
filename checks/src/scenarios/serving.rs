//! La page du chat et les fichiers statiques : tous les chapitres.

use super::*;
use crate::{Ctx, Failure, http};

pub(super) async fn ready_line(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let first = server.log().stdout().first().cloned().unwrap_or_default();
    let expected = format!("Adresse du serveur : http://localhost:{}", server.port());
    if first != expected {
        return Err(Failure::new(
            format!("la première ligne affichée est « {expected} »"),
            format!("« {first} »"),
        ));
    }
    let response = http::get(server.port(), "/").await?;
    if response.status != 200 {
        return Err(Failure::new(
            "le port annoncé répond (GET / : 200)",
            format!("statut {}", response.status),
        ));
    }
    Ok(())
}

pub(super) async fn index_page(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let response = http::get(server.port(), "/").await?;
    let html = response.text();
    let wanted = [
        ("<title>Socket.io</title>", "le titre « Socket.io »"),
        ("<h1>Socket.io</h1>", "le titre <h1>Socket.io</h1>"),
        ("<ul id=\"messages\">", "la liste ul#messages"),
        ("<form id=\"form\"", "le formulaire form#form"),
        ("<input id=\"input\"", "le champ input#input"),
        ("Envoyer</button>", "le bouton « Envoyer »"),
    ];
    if response.status != 200 {
        return Err(Failure::new(
            "GET / répond 200",
            format!("statut {}", response.status),
        ));
    }
    for (needle, what) in wanted {
        if !html.contains(needle) {
            return Err(Failure::new(
                format!("la page contient {what}"),
                "absent de la page renvoyée par GET /",
            ));
        }
    }
    let on_disk = std::fs::read_to_string(
        repository_root()
            .join("client")
            .join(ctx.client_folder())
            .join("index.html"),
    )
    .map_err(|e| Failure::new("le fichier client/…/index.html existe", e.to_string()))?;
    if html != on_disk {
        return Err(Failure::new(
            format!("GET / renvoie client/{}/index.html", ctx.client_folder()),
            "un autre contenu",
        ));
    }
    Ok(())
}

pub(super) async fn static_files(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let name = format!(".verify-{}-{}.txt", std::process::id(), server.port());
    let path = repository_root()
        .join("client")
        .join(ctx.client_folder())
        .join(&name);
    let content = format!("écrit à l'instant, pendant que le serveur tourne ({name})");
    std::fs::write(&path, &content)
        .map_err(|e| Failure::new("écrire un fichier dans le dossier client", e.to_string()))?;
    let response = http::get(server.port(), &format!("/{name}")).await;
    std::fs::remove_file(&path).ok();
    let response = response?;
    if response.status != 200 || response.text() != content {
        return Err(Failure::new(
            "un fichier ajouté au dossier client pendant que le serveur tourne est servi aussitôt",
            format!("statut {} et un autre contenu", response.status),
        ));
    }
    // Sans `no-cache`, Chromium garde la page ou le script d'un chapitre
    // précédent, servi à la même adresse, et ne redemande rien.
    let page = http::get(server.port(), "/").await?;
    if !page
        .header("cache-control")
        .is_some_and(|v| v.contains("no-cache"))
    {
        return Err(Failure::new(
            "GET / demande au navigateur de revalider sa copie (Cache-Control: no-cache)",
            format!("Cache-Control\u{a0}: {:?}", page.header("cache-control")),
        ));
    }
    if ctx.number() >= 2 {
        let js = http::get(server.port(), "/client-socket.js").await?;
        let on_disk = std::fs::read_to_string(
            repository_root()
                .join("client")
                .join(ctx.client_folder())
                .join("client-socket.js"),
        )
        .unwrap_or_default();
        if js.status != 200
            || js.text() != on_disk
            || !js
                .header("cache-control")
                .is_some_and(|v| v.contains("no-cache"))
        {
            return Err(Failure::new(
                "GET /client-socket.js renvoie le fichier du dossier client, à revalider \
                 (Cache-Control: no-cache)",
                format!(
                    "statut {}, Cache-Control\u{a0}: {:?}",
                    js.status,
                    js.header("cache-control")
                ),
            ));
        }
    }
    Ok(())
}

pub(super) async fn not_found(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    for target in ["/nope", "/nope.html", "/client/index.html"] {
        let response = http::get(server.port(), target).await?;
        if response.status != 404 {
            return Err(Failure::new(
                format!("GET {target} répond 404"),
                format!("statut {}", response.status),
            ));
        }
    }
    Ok(())
}

pub(super) async fn no_traversal(ctx: Ctx) -> Result<(), Failure> {
    let server = ctx.start().await?;
    let targets = [
        "/../Cargo.toml",
        "/../../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/%2E%2E/Cargo.toml",
        "/..%2fCargo.toml",
        "/..%2f..%2fCargo.toml",
        "/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "/.%2e/.%2e/Cargo.toml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
    ];
    for target in targets {
        let response = http::get(server.port(), target).await?;
        let body = response.text();
        if response.status == 200 || body.contains("[workspace]") || body.contains("root:") {
            return Err(Failure::new(
                format!("GET {target} ne sert rien hors du dossier client (404)"),
                format!("statut {} avec un contenu", response.status),
            ));
        }
    }
    Ok(())
}
