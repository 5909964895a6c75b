import { runStandalone } from '@crm/service-kit';
import { engagementService } from './service.ts';

await runStandalone(engagementService, 4003);
