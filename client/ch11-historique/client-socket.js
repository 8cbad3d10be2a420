// io() ouvre la connexion, comme au chapitre 8, avec deux réglages du
// tutoriel officiel (« client delivery ») :
// - auth.serverOffset : le dernier numéro de message vu ; le serveur envoie
//   à la connexion tout ce qui est plus récent (0 au début : tout) ;
// - ackTimeout et retries : un message sans accusé au bout de 10 s est
//   renvoyé, jusqu'à 3 fois. Il garde son clientOffset : le serveur
//   reconnaît un renvoi et ne l'enregistre pas deux fois.
const RETRIES = 3;
const socket = io({
  auth: { serverOffset: 0 },
  ackTimeout: 10000,
  retries: RETRIES,
});

const form = document.getElementById('form');
const input = document.getElementById('input');

// ANCHOR: offset
// Pour fabriquer un clientOffset unique : un identifiant tiré au hasard
// à l'ouverture de la page, puis un compteur. Pas `socket.id` (comme le
// tutoriel officiel) : il vaut `undefined` tant que la page est
// déconnectée, et deux onglets qui écrivent pendant une panne
// enverraient le même `undefined-0`. Pas `crypto.randomUUID()` non plus :
// il n'existe que sur https ou localhost, et la page peut être ouverte en
// http depuis une autre machine. `crypto.getRandomValues` existe partout.
const pageId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
  byte.toString(16).padStart(2, '0'),
).join('');
let counter = 0;
// ANCHOR_END: offset

// L'affichage (la liste #messages, addMessage, addNotice) vient de
// /commun/chat-ui.js, chargé avant ce fichier.

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  // Vide ou fait d'espaces : rien ne part ; trop long : une annonce le dit,
  // et le texte reste dans le champ (`sendable`, dans chat-ui.js).
  if (!sendable(input)) {
    return;
  }
  input.value = '';
  const clientOffset = `${pageId}-${counter++}`;
  // Pas d'affichage ici : le serveur renvoie le message à tous, nous
  // compris, avec son numéro. L'accusé dit qu'il est bien enregistré.
  // Avec `retries`, le rappel reçoit d'abord une erreur (`err`) : elle
  // n'est donnée qu'après le dernier essai sans accusé.
  socket.emit('new message', text, clientOffset, (err, reply) => {
    if (err) {
      addNotice(`échec : pas d'accusé du serveur pour « ${text} » après ${RETRIES + 1} essais ; il n'est peut-être pas enregistré.`);
    } else if (reply && reply.error) {
      // Refusé : le texte revient dans le champ, s'il est libre, pour être
      // corrigé plutôt que perdu (`giveBack`, dans chat-ui.js).
      addNotice(`échec : « ${reply.error} »`);
      giveBack(text);
    }
  });
});

// Chaque message arrive avec son numéro : on le retient, pour que la
// prochaine (re)connexion ne demande que la suite.
socket.on('new message', (text, id) => {
  if (typeof id === 'number' && id <= socket.auth.serverOffset) {
    return; // déjà affiché
  }
  addMessage(null, text);
  if (typeof id === 'number') {
    socket.auth.serverOffset = id;
  }
});

// Connexion perdue (serveur arrêté, réseau coupé) : la page le dit. Un
// message écrit d'ici là attend dans la bibliothèque cliente et part au
// retour (`retries`) ; il s'affichera quand le serveur le renverra,
// numéroté. Si c'est le serveur qui a fermé (client trop lent, par
// exemple), Socket.IO ne se reconnecte pas de lui-même : on le lui demande.
let lost = false;

socket.on('connect', () => {
  if (lost) {
    lost = false;
    addNotice('Connexion rétablie');
  }
});

socket.on('disconnect', (reason) => {
  lost = true;
  addNotice("Connexion perdue, nouvel essai… Un message écrit d'ici là partira à son retour.");
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
