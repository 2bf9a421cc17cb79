import type { Command } from '../support/command';
import { listDeadLetters, retryDeadLetter } from './backchannel';
import { createClient, deleteClient, getClient, listClients } from './clients';
import { tailEvents } from './events-tail';
import { showGrant } from './grants-show';
import { listKeys, rotateKey } from './keys';
import { migrate } from './migrate';
import { rebuild } from './read-model';
import { endSession } from './sessions';
import { createUser, deleteUser, getUser, listUsers, unlockUser } from './users';

/** Every subcommand, in the order `idp --help` lists them. */
export const COMMANDS: readonly Command[] = [
  migrate,
  rotateKey,
  listKeys,
  rebuild,
  listClients,
  getClient,
  createClient,
  deleteClient,
  listUsers,
  getUser,
  createUser,
  deleteUser,
  unlockUser,
  endSession,
  listDeadLetters,
  retryDeadLetter,
  tailEvents,
  showGrant,
];
