import { runStandalone } from '@crm/service-kit';
import { loyaltyService } from './service.ts';

await runStandalone(loyaltyService, 4004);
