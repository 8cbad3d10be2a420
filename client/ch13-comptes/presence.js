// Qui est là, et qui écrit : la liste « En ligne », les arrivées et les
// départs, « en train d'écrire ». Le chat des chapitres 13 et 14 la charge
// après client-socket.js, celui du chapitre 15 aussi (sous /comptes) : ce
// fichier lit `socket`, `me`, `input` et `to` de la page, et donne à
// client-socket.js `stopTyping` et `stoppedTyping`.

const online = document.getElementById('online');
const typingLine = document.getElementById('typing');

socket.on('user joined', (pseudo) => {
  addNotice(`${pseudo} a rejoint le chat`);
});

socket.on('user left', (pseudo) => {
  stoppedTyping(pseudo);
  addNotice(`${pseudo} a quitté le chat`);
});

// La liste « En ligne » (chaque personne une fois), et les destinataires
// possibles : tous, sauf soi (`fillRecipients`, dans
// /commun/presence-ui.js).
socket.on('online', (pseudos) => {
  online.replaceChildren(
    ...pseudos.map((pseudo) => {
      const item = document.createElement('li');
      item.textContent = pseudo;
      return item;
    }),
  );
  fillRecipients(to, pseudos, me);
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
  if (from === me) {
    return;
  }
  stoppedTyping(from);
  if (isTyping) {
    writers.set(from, setTimeout(() => stoppedTyping(from), 3000));
    showWriters();
  }
});
