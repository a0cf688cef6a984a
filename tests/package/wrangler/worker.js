// A Worker as users write it: `vclient` resolved by wrangler through the `workerd` condition.
import { VClient } from 'vclient';
const client = new VClient({ baseUrl: 'https://api.valentina-noir.example', apiKey: 'dry-run' });
export default {
  async fetch() {
    return new Response(String(client));
  },
};
