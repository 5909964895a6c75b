import { runStandalone } from '@crm/service-kit';
import { customersService } from './service.ts';

await runStandalone(customersService, 4001);
