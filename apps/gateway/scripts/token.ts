/**
 * Prints a bearer token for a staff member, for calling a gateway that requires one
 * (AUTH_REQUIRED=true): tsx scripts/token.ts <user-id> <role[,role]> [branch]
 */
import { ROLES, type Role, signToken } from '@crm/service-kit';

const [userId = 'officer-1', rolesArg = 'loan_officer', branchId] = process.argv.slice(2);
const roles = rolesArg.split(',');
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (unknown.length) {
  console.error(`unknown role(s): ${unknown.join(', ')}; roles: ${ROLES.join(', ')}`);
  process.exit(1);
}
const secret = process.env.JWT_SECRET ?? 'embedded-development-secret-change-me-0123456789';
console.log(await signToken({ userId, roles: roles as Role[], ...(branchId ? { branchId } : {}) }, secret, '8h'));
