// autoConnect: false : la connexion attend que compte.js ait trouvé une
// session. Plus de socket.auth : le serveur lit le cookie de la poignée de
// main, que le navigateur joint de lui-même.
const socket = io({ autoConnect: false });

const chat = document.getElementById('chat');
const form = document.getElementById('form');
const input = document.getElementById('input');
const to = document.getElementById('to');

// Vrai après « logged out » : ne pas se reconnecter.
let loggedOut = false;
// Vrai entre une connexion perdue et son retour (voir 'disconnect').
let lost = false;

function startChat() {
  loggedOut = false;
  socket.connect();
}

function hideChat() {
  chat.hidden = true;
  form.hidden = true;
}

socket.on('connect', () => {
  chat.hidden = false;
  form.hidden = false;
  input.focus();
  if (lost) {
    lost = false;
    addNotice('Connexion rétablie');
  }
});

// Serveur injoignable : socket.active est vrai, la bibliothèque cliente
// réessaie seule, de plus en plus espacé ; une seule annonce, pas une par
// essai. Un refus du serveur (pas de session, session terminée…) :
// socket.active est faux, le client ne réessaie pas ; on revient au
// formulaire.
socket.on('connect_error', (err) => {
  if (socket.active) {
    if (!lost) {
      lost = true;
      addNotice('Serveur injoignable, nouvel essai…');
    }
    return;
  }
  lost = false;
  hideChat();
  showLogin(err.message);
});

// Déconnecté de partout (depuis cet onglet ou un autre) : la raison, puis
// le formulaire.
socket.on('logged out', (reason) => {
  loggedOut = true;
  hideChat();
  showLogin(reason);
});

// Chapitre 14 : exclu par un modérateur. La session reste valable : un
// rechargement de la page revient dans le chat.
socket.on('kicked', ({ reason }) => {
  loggedOut = true;
  hideChat();
  addNotice(`Un modérateur vous a exclu : ${reason}`);
  showLogin(`Un modérateur vous a exclu : ${sentence(reason)} Rechargez la page pour revenir.`);
});

// Connexion perdue (serveur arrêté, réseau coupé, client trop lent) : le
// chat le dit, comme au chapitre 10, puis « Connexion rétablie » au retour.
// La bibliothèque cliente réessaie seule, sauf quand c'est le serveur qui a
// fermé : on la relance alors. Après « logged out » (ou « kicked »), on
// reste dehors.
socket.on('disconnect', (reason) => {
  if (loggedOut) {
    return;
  }
  lost = true;
  addNotice('Connexion perdue, nouvel essai…');
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  if (!sendable(input)) {
    return;
  }
  // Hors ligne, le message ne partirait qu'au retour de la connexion, et
  // son accusé n'arriverait pas à temps : il reste dans le champ.
  if (!socket.connected) {
    addNotice("Pas de connexion au serveur : le message n'est pas parti, il reste dans le champ.");
    return;
  }
  input.value = '';
  stopTyping();
  const recipient = to.value;
  if (recipient) {
    const item = addMessage(`${me} → ${recipient} (en privé)`, text, 'mine private');
    const reply = socket.timeout(5000).emitWithAck('private message', { to: recipient, text });
    const delivered = (answer) => (answer && answer.ok === true ? `remis à ${recipient}` : null);
    showAck(item, reply, delivered, text);
  } else {
    const item = addMessage(me, text, 'mine');
    showAck(item, socket.timeout(5000).emitWithAck('new message', text), deliveredById, text);
  }
});

// Un message à tous ; s'il vient d'un autre onglet du même compte, il
// s'affiche comme les siens.
socket.on('new message', ({ from, text }) => {
  stoppedTyping(from);
  addMessage(from, text, from === me ? 'mine' : undefined);
});

// Un message privé reçu, ou envoyé depuis un autre de ses onglets.
socket.on('private message', ({ from, to: recipient, text }) => {
  if (from === me) {
    addMessage(`${me} → ${recipient} (en privé)`, text, 'mine private');
  } else {
    stoppedTyping(from);
    addMessage(`${from} (en privé)`, text, 'private');
  }
});
