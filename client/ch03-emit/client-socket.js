// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();

const form = document.getElementById('form');
const input = document.getElementById('input');

// Correction du cours : on écoute « submit » sur le formulaire, et non
// « click » sur le bouton. Sans preventDefault(), le navigateur enverrait le
// formulaire et rechargerait la page. Bonus : la touche Entrée fonctionne aussi.
form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (input.value) {
    socket.emit('new message', input.value);
    input.value = '';
  }
});
