export { identifyToken, looksLikeToken, type TokenIdentity } from './token-identity';
export { readTokenHistory, type HistoryToken } from './read-token-history';
export { TokenHistoryService } from './token-history.service';
