// Le chapitre 5 du cours d'origine (Express + socket.io 4.8), tel qu'un
// étudiant l'écrit, sans journal par message : la référence Node de
// `cargo xtask bench --vs-node`. Même ligne « prêt » que les chapitres Rust.
const path = require('path');
const http = require('http');
const express = require('express');
const { Server } = require('socket.io');

const app = express();
const server = http.createServer(app);
const io = new Server(server);

app.use(express.static(path.join(__dirname, '..', '..', 'client', 'ch05-broadcast')));

io.on('connection', (socket) => {
  console.log('Un client vient de se connecter');
  socket.on('new message', (msg) => {
    // Comme le chapitre Rust : seul un texte est relayé.
    if (typeof msg !== 'string') return;
    socket.broadcast.emit('new message', msg);
  });
});

const port = Number(process.env.PORT ?? 3000);
server.listen(port, process.env.HOST, () => {
  console.log(`Adresse du serveur : http://localhost:${server.address().port}`);
});

process.on('SIGTERM', () => {
  io.close();
  server.close(() => process.exit(0));
});
