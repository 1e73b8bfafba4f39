// The compose step `mongo-init` (mongosh). It runs inside the mongo container's network
// namespace, so the localhost exception lets it initiate the one-node replica set and create the
// first user. Idempotent: safe on every `docker compose up`.
//
// Users: `root` (MONGO_ROOT_PASSWORD) and one user per service, `htk_<service>`, with readWrite
// on its own database `htk_<service>` only. A service's password comes from
// MONGO_PASSWORD_<SERVICE>; every such variable in the environment makes a user.

const replicaSet = process.env.MONGO_REPLICA_SET || "rs0";
const advertisedHost = process.env.MONGO_ADVERTISED_HOST || "mongo:27017";

function replicaSetInitiated() {
  try {
    rs.status();
    return true;
  } catch (error) {
    if (error.codeName === "NotYetInitialized") return false;
    if (error.codeName === "Unauthorized") return true; // users exist, so it was set up before
    throw error;
  }
}

if (!replicaSetInitiated()) {
  rs.initiate({ _id: replicaSet, members: [{ _id: 0, host: advertisedHost }] });
}
for (let i = 0; i < 60 && !db.adminCommand({ hello: 1 }).isWritablePrimary; i++) sleep(1000);
if (!db.adminCommand({ hello: 1 }).isWritablePrimary) throw new Error("no primary after 60 s");

const admin = db.getSiblingDB("admin");
const rootPassword = process.env.MONGO_ROOT_PASSWORD;
if (!rootPassword) throw new Error("MONGO_ROOT_PASSWORD is not set");
try {
  admin.createUser({ user: "root", pwd: rootPassword, roles: [{ role: "root", db: "admin" }] });
} catch (error) {
  // Unauthorized: the localhost exception is gone because users exist already.
  if (error.codeName !== "Unauthorized" && error.codeName !== "Location51003") throw error;
}
admin.auth("root", rootPassword);

for (const [name, pwd] of Object.entries(process.env)) {
  if (!name.startsWith("MONGO_PASSWORD_")) continue;
  const service = name.slice("MONGO_PASSWORD_".length).toLowerCase();
  const user = `htk_${service}`;
  const roles = [{ role: "readWrite", db: `htk_${service}` }];
  if (admin.getUser(user)) admin.updateUser(user, { pwd, roles });
  else admin.createUser({ user, pwd, roles });
  print(`user ${user}: readWrite on htk_${service}`);
}
