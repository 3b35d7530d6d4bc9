import { api, must } from '../api/client.ts';

/** GET /v1/organizations: the organisations an administrator may see, by name. */
export async function listOrganizations() {
  return (await must(api.GET('/v1/organizations'))).organizations;
}

export type Organization = Awaited<ReturnType<typeof listOrganizations>>[number];
