// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();

const form = document.getElementById('form');
const input = document.getElementById('input');
const room = document.getElementById('room');
const messages = document.getElementById('messages');

// Les boutons « Rejoindre » et « Quitter » ont type="button" : ils ne
// soumettent pas le formulaire, donc le navigateur ne vérifie pas le champ
// du salon pour eux. reportValidity() le fait, et montre le même avertissement
// qu'« Envoyer » quand il est vide.
document.getElementById('join').addEventListener('click', () => {
  if (room.reportValidity()) {
    socket.emit('join', room.value);
  }
});
document.getElementById('leave').addEventListener('click', () => {
  if (room.reportValidity()) {
    socket.emit('leave', room.value);
  }
});

// Un message pour un salon : deux arguments, le salon puis le texte.
form.addEventListener('submit', (e) => {
  e.preventDefault();
  // Un texte fait seulement d'espaces ne dit rien : il ne part pas.
  if (input.value.trim()) {
    socket.emit('new message', room.value, input.value);
  }
  input.value = '';
});

// Le serveur renvoie le salon avec le texte : on affiche les deux.
socket.on('new message', (roomName, msg) => {
  const item = document.createElement('li');
  item.textContent = `[${roomName}] ${msg}`;
  messages.appendChild(item);
});

// Si le serveur coupe lui-même la connexion (parce que cette page ne suivait
// plus le rythme, par exemple), la bibliothèque cliente ne se reconnecte pas
// d'elle-même, alors qu'elle le fait après une coupure du réseau : on le lui
// demande.
socket.on('disconnect', (reason) => {
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
