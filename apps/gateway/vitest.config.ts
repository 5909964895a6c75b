export { default } from '../../packages/service-kit/vitest.shared.ts';
