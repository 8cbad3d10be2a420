// Le chapitre 9 (pseudos) du cours d'origine sur plusieurs processus reliés
// par Redis (@socket.io/redis-adapter), tel qu'on l'écrit en Node : la
// référence Node du scénario « grappe » de `cargo xtask bench --vs-node`,
// face au chapitre 12. Les pseudos sont réservés dans Redis (`SET … NX`),
// comme au chapitre 12 ; même ligne « prêt » que les chapitres Rust.
const path = require('path');
const http = require('http');
const express = require('express');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

const MAX_NICKNAME_CHARS = 32;

async function main() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const pubClient = createClient({ url });
  const subClient = pubClient.duplicate();
  pubClient.on('error', (err) => console.log(`Redis : ${err.message}`));
  subClient.on('error', (err) => console.log(`Redis : ${err.message}`));
  await Promise.all([pubClient.connect(), subClient.connect()]);

  const app = express();
  const server = http.createServer(app);
  const io = new Server(server, { adapter: createAdapter(pubClient, subClient) });

  app.use('/commun', express.static(path.join(__dirname, '..', '..', 'client', 'commun')));
  app.use(express.static(path.join(__dirname, '..', '..', 'client', 'ch09-pseudos')));

  // Le pseudo, vérifié avant la connexion et réservé dans Redis pour tous
  // les processus.
  io.use(async (socket, next) => {
    const raw = socket.handshake.auth?.pseudo;
    if (raw == null) return next(new Error('Choisissez un pseudo avant de vous connecter.'));
    if (typeof raw !== 'string') return next(new Error('Le pseudo doit être un texte.'));
    const pseudo = raw.trim();
    if (pseudo === '') return next(new Error('Le pseudo est vide : écrivez au moins un caractère.'));
    if ([...pseudo].length > MAX_NICKNAME_CHARS) {
      return next(new Error(`Le pseudo est trop long : ${MAX_NICKNAME_CHARS} caractères au plus.`));
    }
    const key = `pseudo:${pseudo.toLowerCase()}`;
    const taken = (await pubClient.set(key, socket.id, { NX: true })) !== 'OK';
    if (taken) {
      console.log(`Connexion refusée : pseudo « ${pseudo} » déjà pris`);
      return next(new Error(`Le pseudo « ${pseudo} » est déjà pris : choisissez-en un autre.`));
    }
    socket.data.pseudo = pseudo;
    socket.data.key = key;
    next();
  });

  // Qui est en ligne, sur tous les processus.
  async function online() {
    const sockets = await io.fetchSockets();
    return sockets
      .map((s) => s.data.pseudo)
      .filter((p) => typeof p === 'string')
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  }

  let forwarded = 0;
  io.on('connection', async (socket) => {
    const pseudo = socket.data.pseudo;
    socket.on('new message', (msg, ack) => {
      if (typeof msg !== 'string') return;
      socket.broadcast.emit('new message', { from: pseudo, text: msg });
      forwarded += 1;
      if (typeof ack === 'function') ack({ id: forwarded });
    });
    socket.on('disconnect', async () => {
      await pubClient.del(socket.data.key).catch(() => {});
      socket.broadcast.emit('user left', pseudo);
      socket.broadcast.emit('online', await online().catch(() => []));
    });
    console.log(`${pseudo} vient de se connecter (${socket.id})`);
    socket.broadcast.emit('user joined', pseudo);
    io.emit('online', await online().catch(() => []));
  });

  const port = Number(process.env.PORT ?? 3000);
  server.listen(port, process.env.HOST, () => {
    console.log(`Adresse du serveur : http://localhost:${server.address().port}`);
  });

  process.on('SIGTERM', () => {
    io.close();
    server.close(() => process.exit(0));
  });
}

main().catch((err) => {
  console.log(`Erreur : ${err.message}`);
  process.exit(1);
});
