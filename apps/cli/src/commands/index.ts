import type { Command } from '../support/command';
import { listDeadLetters, retryDeadLetter } from './backchannel';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  revokeClientTokens,
  rotateClientSecret,
  updateClient,
} from './clients';
import { tailEvents } from './events-tail';
import { showGrant } from './grants-show';
import { listKeys, rotateKey } from './keys';
import { migrate } from './migrate';
import { rebuild } from './read-model';
import { endSession, getSession, revokeSessionTokens } from './sessions';
import { listSsfDeadLetters, retrySsfDeadLetter } from './ssf';
import {
  createUser,
  deleteUser,
  endUserSessions,
  getUser,
  listUsers,
  revokeUserTokens,
  unlockUser,
  updateUser,
} from './users';

/** Every subcommand, in the order `idp --help` lists them. */
export const COMMANDS: readonly Command[] = [
  migrate,
  rotateKey,
  listKeys,
  rebuild,
  listClients,
  getClient,
  createClient,
  updateClient,
  rotateClientSecret,
  revokeClientTokens,
  deleteClient,
  listUsers,
  getUser,
  createUser,
  updateUser,
  deleteUser,
  unlockUser,
  endUserSessions,
  revokeUserTokens,
  getSession,
  endSession,
  revokeSessionTokens,
  listDeadLetters,
  retryDeadLetter,
  listSsfDeadLetters,
  retrySsfDeadLetter,
  tailEvents,
  showGrant,
];
