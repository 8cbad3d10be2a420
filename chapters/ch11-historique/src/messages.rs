//! Un nouveau message : l'enregistrer, l'envoyer à tous (l'émetteur compris)
//! avec son numéro, puis accuser réception. Un renvoi du même
//! `clientOffset` n'est enregistré qu'une fois.

// ANCHOR: all
use std::sync::Arc;

use serde_json::{Value as Json, json};
use socketioxide::extract::{State, TryData};
use support::{AckSender, SocketRef, printable};

use crate::history::CHAT;
use crate::store::Store;

// ANCHOR: message
/// `socket.emit('new message', texte, clientOffset)` : on enregistre, on
/// envoie à tous (l'émetteur compris), puis on accuse réception.
pub async fn on_message(
    socket: SocketRef,
    State(store): State<Arc<Store>>,
    TryData(data): TryData<(Json, Json)>,
    ack: AckSender,
) {
    let (text, client_offset) = match data {
        // Le texte s'écrit dans le terminal : `printable` refuse un
        // caractère de contrôle, et le nomme par son code.
        Ok((Json::String(text), Json::String(offset))) => match printable("le message", text) {
            Ok(text) => (text, offset),
            Err(why) => return refuse(&socket, ack, &why),
        },
        _ => {
            let why = "il faut deux textes\u{a0}: le message, puis son identifiant (clientOffset)";
            return refuse(&socket, ack, why);
        }
    };
    // Un message à la fois, tous clients confondus : chacun est numéroté
    // puis envoyé avant que le suivant passe, donc tout le monde reçoit les
    // numéros dans l'ordre. (Ceux d'un même client arrivent ici dans leur
    // ordre d'envoi grâce à `in_order`.)
    let _turn = store.turn.lock().await;
    match store.add(text.clone(), client_offset).await {
        Ok((id, true)) => {
            println!("message: {text}");
            socket
                .within(CHAT)
                .emit("new message", &(text, id))
                .await
                .ok();
            ack.send(&json!({ "id": id })).ok();
        }
        // Déjà enregistré : le client n'avait pas reçu l'accusé et réessaie.
        Ok((id, false)) => {
            println!("Message nº {id} reçu une deuxième fois : accusé renvoyé, rien d'autre");
            ack.send(&json!({ "id": id })).ok();
        }
        // Pas d'accusé du tout : un accusé `{ error }` mettrait fin aux
        // essais de la bibliothèque cliente (`retries`). Sans réponse, elle
        // renvoie le message au bout de `ackTimeout`, même `clientOffset`.
        Err(why) => {
            println!(
                "Message de {} non enregistré : {why} ; sans accusé, la page le renverra",
                socket.id
            );
        }
    }
}
// ANCHOR_END: message

/// Un `new message` invalide : un avertissement au terminal, la raison
/// dans l'accusé, rien d'enregistré.
fn refuse(socket: &SocketRef, ack: AckSender, why: &str) {
    println!(
        "Avertissement\u{a0}: évènement «\u{a0}new message\u{a0}» du client {} ignoré, car {why}.",
        socket.id
    );
    ack.send(&json!({ "error": format!("Message refusé\u{a0}: {why}.") }))
        .ok();
}
// ANCHOR_END: all
