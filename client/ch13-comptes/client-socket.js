// autoConnect: false : la connexion attend que compte.js ait trouvé une
// session. Plus de socket.auth : le serveur lit le cookie de la poignée de
// main, que le navigateur joint de lui-même.
const socket = io({ autoConnect: false });

const chat = document.getElementById('chat');
const form = document.getElementById('form');
const input = document.getElementById('input');
const to = document.getElementById('to');
const online = document.getElementById('online');
const typingLine = document.getElementById('typing');

// Vrai après « logged out » : ne pas se reconnecter.
let loggedOut = false;

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
});

// Un refus du serveur (pas de session, session terminée…) : socket.active
// est faux, le client ne réessaie pas ; on revient au formulaire.
socket.on('connect_error', (err) => {
  if (socket.active) {
    addNotice('Serveur injoignable, nouvel essai…');
    return;
  }
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
  addNotice(`Un modérateur vous a exclu : ${reason}`);
  showLogin(`Un modérateur vous a exclu : ${reason}. Rechargez la page pour revenir.`);
});

socket.on('disconnect', (reason) => {
  // Le serveur a fermé la connexion sans « logged out » (client trop lent) :
  // on revient. Après « logged out », on reste dehors.
  if (reason === 'io server disconnect' && !loggedOut) {
    socket.connect();
  }
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  if (!text) {
    return;
  }
  input.value = '';
  stopTyping();
  const recipient = to.value;
  if (recipient) {
    const item = addMessage(`${me} → ${recipient} (en privé)`, text, 'mine private');
    const reply = socket.timeout(5000).emitWithAck('private message', { to: recipient, text });
    showAck(item, reply, (answer) =>
      answer && answer.ok === true ? `remis à ${recipient}` : null);
  } else {
    const item = addMessage(me, text, 'mine');
    showAck(item, socket.timeout(5000).emitWithAck('new message', text), deliveredById);
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

socket.on('user joined', (pseudo) => {
  addNotice(`${pseudo} a rejoint le chat`);
});

socket.on('user left', (pseudo) => {
  stoppedTyping(pseudo);
  addNotice(`${pseudo} a quitté le chat`);
});

// La liste « En ligne » (chaque personne une fois), et les destinataires
// possibles : tous, sauf soi.
socket.on('online', (pseudos) => {
  online.replaceChildren(
    ...pseudos.map((pseudo) => {
      const item = document.createElement('li');
      item.textContent = pseudo;
      return item;
    }),
  );
  const chosen = to.value;
  const everyone = document.createElement('option');
  everyone.value = '';
  everyone.textContent = 'À tous';
  const others = pseudos
    .filter((pseudo) => pseudo !== me)
    .map((pseudo) => {
      const option = document.createElement('option');
      option.value = pseudo;
      option.textContent = `À ${pseudo} (en privé)`;
      return option;
    });
  to.replaceChildren(everyone, ...others);
  to.value = others.some((option) => option.value === chosen) ? chosen : '';
});

// « En train d'écrire », comme au chapitre 10 ; ses propres onglets sont
// ignorés.
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

const writers = new Map();

function showWriters() {
  const names = [...writers.keys()];
  if (names.length === 0) {
    typingLine.textContent = '';
  } else if (names.length === 1) {
    typingLine.textContent = `${names[0]} est en train d'écrire…`;
  } else {
    typingLine.textContent = `${names.join(', ')} sont en train d'écrire…`;
  }
}

function stoppedTyping(from) {
  if (writers.has(from)) {
    clearTimeout(writers.get(from));
    writers.delete(from);
    showWriters();
  }
}

socket.on('typing', ({ from, typing: isTyping }) => {
  if (from === me) {
    return;
  }
  stoppedTyping(from);
  if (isTyping) {
    writers.set(from, setTimeout(() => stoppedTyping(from), 3000));
    showWriters();
  }
});
