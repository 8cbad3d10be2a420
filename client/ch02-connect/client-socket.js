// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();
