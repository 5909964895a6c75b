import { runStandalone } from '@crm/service-kit';
import { creditService } from './service.ts';

await runStandalone(creditService, 4002);
