// autoConnect: false : la connexion attend que l'utilisateur ait choisi un
// pseudo, qui part dans la poignée de main (socket.auth).
const socket = io({ autoConnect: false });

const login = document.getElementById('login');
const pseudoInput = document.getElementById('pseudo');
const loginError = document.getElementById('login-error');
const chat = document.getElementById('chat');
const form = document.getElementById('form');
const input = document.getElementById('input');
const to = document.getElementById('to');
const online = document.getElementById('online');
const typingLine = document.getElementById('typing');

// Son propre pseudo, tel que le serveur le garde : sans les espaces du
// début et de la fin, les accents composés (NFC).
function myPseudo() {
  return socket.auth.pseudo.trim().normalize('NFC');
}

login.addEventListener('submit', (e) => {
  e.preventDefault();
  loginError.textContent = '';
  socket.auth = { pseudo: pseudoInput.value };
  socket.connect();
});

// Vrai entre une connexion perdue et son retour (voir 'disconnect').
let lost = false;

socket.on('connect', () => {
  login.hidden = true;
  chat.hidden = false;
  form.hidden = false;
  input.focus();
  if (lost) {
    lost = false;
    addNotice('Connexion rétablie');
  }
});

// Un refus du serveur (pseudo pris…) : socket.active est faux, la
// bibliothèque cliente ne réessaie pas d'elle-même.
socket.on('connect_error', (err) => {
  if (socket.active) {
    loginError.textContent = 'Serveur injoignable, nouvel essai…';
    return;
  }
  loginError.textContent = err.message;
  login.hidden = false;
  chat.hidden = true;
  form.hidden = true;
  pseudoInput.focus();
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  // Vide ou fait d'espaces : rien ne part ; trop long : une annonce le dit,
  // et le texte reste dans le champ (`sendable`, dans chat-ui.js).
  if (!sendable(input)) {
    return;
  }
  input.value = '';
  stopTyping();
  const recipient = to.value;
  if (recipient) {
    const item = addMessage(`${myPseudo()} → ${recipient} (en privé)`, text, 'mine private');
    const reply = socket.timeout(5000).emitWithAck('private message', { to: recipient, text });
    const delivered = (answer) => (answer && answer.ok === true ? `remis à ${recipient}` : null);
    showAck(item, reply, delivered, text);
  } else {
    const item = addMessage(myPseudo(), text, 'mine');
    showAck(item, socket.timeout(5000).emitWithAck('new message', text), deliveredById, text);
  }
});

socket.on('new message', ({ from, text }) => {
  stoppedTyping(from);
  addMessage(from, text);
});

// Un message privé : à part (classe private), avec son expéditeur.
socket.on('private message', ({ from, text }) => {
  stoppedTyping(from);
  addMessage(`${from} (en privé)`, text, 'private');
});

socket.on('user joined', (pseudo) => {
  addNotice(`${pseudo} a rejoint le chat`);
});

socket.on('user left', (pseudo) => {
  stoppedTyping(pseudo);
  addNotice(`${pseudo} a quitté le chat`);
});

// La liste « En ligne », et les destinataires possibles (tous, sauf soi :
// `fillRecipients`, dans presence-ui.js).
socket.on('online', (pseudos) => {
  online.replaceChildren(
    ...pseudos.map((pseudo) => {
      const item = document.createElement('li');
      item.textContent = pseudo;
      return item;
    }),
  );
  fillRecipients(to, pseudos, myPseudo());
});

// « En train d'écrire » : envoyé à la première frappe, puis redit toutes
// les secondes tant que l'on tape (un « true » perdu, puisque volatil, est
// réparé par le suivant, et les autres pages n'oublient pas quelqu'un qui
// écrit encore) ; « fini » après 2 s sans frappe, ou à l'envoi.
let typing = false;
let lastTypingSent = 0;
let typingTimer = null;

function stopTyping() {
  clearTimeout(typingTimer);
  if (typing) {
    typing = false;
    socket.emit('typing', false);
  }
}

input.addEventListener('input', () => {
  if (!typing || Date.now() - lastTypingSent > 1000) {
    typing = true;
    lastTypingSent = Date.now();
    socket.emit('typing', true);
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, 2000);
});

// Qui écrit en ce moment, chacun avec son minuteur : sans nouvelles
// pendant 3 s (un « fini » perdu, puisque volatil), on l'oublie.
const writers = new Map();

function showWriters() {
  typingLine.textContent = writersSentence([...writers.keys()]);
}

function stoppedTyping(from) {
  if (writers.has(from)) {
    clearTimeout(writers.get(from));
    writers.delete(from);
    showWriters();
  }
}

socket.on('typing', ({ from, typing: isTyping }) => {
  stoppedTyping(from);
  if (isTyping) {
    writers.set(from, setTimeout(() => stoppedTyping(from), 3000));
    showWriters();
  }
});

// Connexion perdue (serveur arrêté, réseau coupé, client trop lent) : la
// bibliothèque cliente réessaie seule, sauf quand c'est le serveur qui a
// fermé ; le chat le dit, sans quoi rien ne changerait à l'écran.
socket.on('disconnect', (reason) => {
  lost = true;
  addNotice('Connexion perdue, nouvel essai…');
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
