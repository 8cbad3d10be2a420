// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();

const form = document.getElementById('form');
const input = document.getElementById('input');

// Correction du cours : on écoute « submit » sur le formulaire, et non
// « click » sur le bouton. Sans preventDefault(), le navigateur enverrait le
// formulaire et rechargerait la page. Bonus : la touche Entrée fonctionne aussi.
form.addEventListener('submit', (e) => {
  e.preventDefault();
  // Un texte fait seulement d'espaces ne dit rien : il ne part pas.
  if (input.value.trim()) {
    socket.emit('new message', input.value);
  }
  input.value = '';
});

const messages = document.getElementById('messages');

// Chaque message reçu devient un élément de la liste. textContent (jamais
// innerHTML) : un message qui contient du HTML s'affiche comme du texte.
socket.on('new message', (msg) => {
  const item = document.createElement('li');
  item.textContent = msg;
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
