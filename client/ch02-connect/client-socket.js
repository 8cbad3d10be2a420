// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();

// Si le serveur coupe lui-même la connexion (en s'arrêtant proprement, par
// exemple), la bibliothèque cliente ne se reconnecte pas d'elle-même, alors
// qu'elle le fait après une coupure du réseau : on le lui demande.
socket.on('disconnect', (reason) => {
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
