import { byIds, createPagedLoader, type RequestContext, type ServiceContext, type ServiceDeps, serviceContext } from '@crm/service-kit';
import DataLoader from 'dataloader';
import { findInteractionsByIds, findInteractionsOfCustomers } from './db/interaction.store.ts';
import type { DB, InteractionRow, TaskRow, TaskStatus } from './db/schema.ts';
import { findTasksByIds, findTasksOfCustomers } from './db/task.store.ts';

/** What every engagement resolver receives. */
export interface EngagementContext extends ServiceContext<DB> {
  loaders: {
    interaction: DataLoader<string, InteractionRow | null>;
    task: DataLoader<string, TaskRow | null>;
    interactionsOfCustomer: ReturnType<typeof createPagedLoader<InteractionRow>>;
    tasksOfCustomer: (status: TaskStatus[] | null) => ReturnType<typeof createPagedLoader<TaskRow>>;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): EngagementContext {
  const { db } = deps;
  const taskLoaders = new Map<string, ReturnType<typeof createPagedLoader<TaskRow>>>();
  return {
    ...serviceContext(base, deps),
    loaders: {
      interaction: new DataLoader(async (ids) => byIds(ids, await findInteractionsByIds(db, ids))),
      task: new DataLoader(async (ids) => byIds(ids, await findTasksByIds(db, ids))),
      interactionsOfCustomer: createPagedLoader(
        (ids, window) => findInteractionsOfCustomers(db, ids, window),
        (r) => r.customer_id,
      ),
      tasksOfCustomer: (status) => {
        const key = status?.slice().sort().join(',') ?? '';
        let loader = taskLoaders.get(key);
        if (!loader) {
          loader = createPagedLoader(
            (ids, window) => findTasksOfCustomers(db, ids, { ...window, status }),
            (r) => r.customer_id,
          );
          taskLoaders.set(key, loader);
        }
        return loader;
      },
    },
  };
}
