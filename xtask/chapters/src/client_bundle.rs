//! `cargo xtask client-bundle [VERSION]` : copie le client JavaScript
//! officiel de Socket.IO depuis le registre npm, en vérifiant son empreinte.
//!
//! Sans argument, la commande reprend la version notée dans
//! `client/vendor/socket.io-client/VERSION` et exige la même empreinte
//! d'archive : elle refait exactement les mêmes fichiers. Avec une version,
//! elle prend l'empreinte publiée par le registre pour cette version, et la
//! note dans `VERSION`. Elle demande `npm` (pour les mainteneurs du cours
//! seulement : les étudiants n'en ont jamais besoin).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256, Sha512};

use crate::repository_root;

const PACKAGE: &str = "socket.io-client";
const BUNDLE: &str = "socket.io.min.js";

pub fn run(args: &[String]) -> Result<(), String> {
    let folder = vendor_folder();
    let pinned = read_version_file(&folder.join("VERSION"))?;
    let (version, integrity) = match args.first() {
        None => (
            field(&pinned, "version")?.to_owned(),
            field(&pinned, "integrite-archive")?.to_owned(),
        ),
        Some(version) => {
            let integrity = npm(&["view", &format!("{PACKAGE}@{version}"), "dist.integrity"])?;
            (version.clone(), integrity.trim().to_owned())
        }
    };
    if !integrity.starts_with("sha512-") {
        return Err(format!(
            "empreinte inattendue pour {PACKAGE}@{version} : « {integrity} »."
        ));
    }

    let temp = std::env::temp_dir().join(format!("client-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&temp).map_err(|e| format!("dossier temporaire : {e}"))?;
    let result = fetch_and_write(&temp, &folder, &version, &integrity);
    std::fs::remove_dir_all(&temp).ok();
    result
}

fn fetch_and_write(
    temp: &Path,
    folder: &Path,
    version: &str,
    integrity: &str,
) -> Result<(), String> {
    println!("Téléchargement de {PACKAGE}@{version} depuis le registre npm…");
    let name = npm(&[
        "pack",
        &format!("{PACKAGE}@{version}"),
        "--pack-destination",
        &temp.to_string_lossy(),
    ])?;
    let tarball = temp.join(name.trim().lines().last().unwrap_or_default());
    let bytes = std::fs::read(&tarball).map_err(|e| format!("archive illisible : {e}"))?;
    let actual = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes))
    );
    if actual != integrity {
        return Err(format!(
            "l'archive téléchargée n'a pas l'empreinte attendue.\n  attendue : {integrity}\n  obtenue  : {actual}"
        ));
    }

    let mut bundle = None;
    let mut licence = None;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    for entry in archive
        .entries()
        .map_err(|e| format!("archive illisible : {e}"))?
    {
        let mut entry = entry.map_err(|e| format!("archive illisible : {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("archive illisible : {e}"))?
            .to_string_lossy()
            .into_owned();
        let slot = match path.as_str() {
            "package/dist/socket.io.min.js" => &mut bundle,
            "package/LICENSE" => &mut licence,
            _ => continue,
        };
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| format!("archive illisible : {e}"))?;
        *slot = Some(content);
    }
    let bundle = bundle.ok_or("l'archive ne contient pas dist/socket.io.min.js")?;
    let licence = licence.ok_or("l'archive ne contient pas LICENSE")?;

    write(&folder.join(BUNDLE), &bundle)?;
    write(&folder.join("LICENSE"), &licence)?;
    write(
        &folder.join("VERSION"),
        version_file(version, integrity, &sha256_hex(&bundle)).as_bytes(),
    )?;
    println!(
        "client/vendor/socket.io-client : {PACKAGE} {version} ({} octets), empreinte vérifiée.",
        bundle.len()
    );
    Ok(())
}

/// Le dossier du client copié.
pub fn vendor_folder() -> PathBuf {
    repository_root().join("client/vendor/socket.io-client")
}

/// Le contenu du fichier `VERSION`.
fn version_file(version: &str, integrity: &str, sha256: &str) -> String {
    format!(
        "# Le client JavaScript officiel de Socket.IO, copié depuis le registre npm\n\
         # (fichier dist/socket.io.min.js du paquet, et sa licence MIT).\n\
         # Pour le mettre à jour : cargo xtask client-bundle [VERSION]\n\
         paquet = {PACKAGE}\n\
         version = {version}\n\
         integrite-archive = {integrity}\n\
         sha256-{BUNDLE} = {sha256}\n"
    )
}

/// Lit les lignes `clé = valeur` d'un fichier `VERSION`.
pub fn read_version_file(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("impossible de lire {} : {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect())
}

fn field<'a>(fields: &'a BTreeMap<String, String>, key: &str) -> Result<&'a str, String> {
    fields
        .get(key)
        .map(String::as_str)
        .ok_or_else(|| format!("le fichier VERSION n'a pas de ligne « {key} = … »."))
}

/// L'empreinte SHA-256 d'un contenu, en hexadécimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))
}

fn npm(args: &[&str]) -> Result<String, String> {
    let program = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("npm est nécessaire pour cette commande ({e})."))?;
    if !output.status.success() {
        return Err(format!(
            "npm {} a échoué : {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Le fichier servi aux navigateurs est bien celui que `VERSION`
    /// décrit : personne ne l'a modifié à la main.
    #[test]
    fn vendored_bundle_matches_its_recorded_hash() {
        let folder = vendor_folder();
        let fields = read_version_file(&folder.join("VERSION")).expect("VERSION lisible");
        let bundle = std::fs::read(folder.join(BUNDLE)).expect("socket.io.min.js présent");
        assert_eq!(
            field(&fields, &format!("sha256-{BUNDLE}")).expect("empreinte notée"),
            sha256_hex(&bundle)
        );
        let version = field(&fields, "version").expect("version notée");
        assert!(version.starts_with("4.8."), "version {version}");
        let head = String::from_utf8_lossy(&bundle[..80]);
        assert!(head.contains(&format!("Socket.IO v{version}")), "{head}");
        assert!(folder.join("LICENSE").exists());
    }

    #[test]
    fn version_file_round_trips() {
        let temp = std::env::temp_dir().join(format!("version-{}", std::process::id()));
        std::fs::write(&temp, version_file("4.8.9", "sha512-abc", "00ff")).expect("écriture");
        let fields = read_version_file(&temp).expect("lecture");
        std::fs::remove_file(&temp).ok();
        assert_eq!(field(&fields, "version").ok(), Some("4.8.9"));
        assert_eq!(field(&fields, "integrite-archive").ok(), Some("sha512-abc"));
        assert_eq!(field(&fields, "sha256-socket.io.min.js").ok(), Some("00ff"));
    }
}
