import { z } from 'zod';

/**
 * The site file's shape (docs/site-file.md): a flat layout, as NetBox keeps it — lists of halls,
 * racks naming their hall and row, node entries naming their rack, and fabric units naming their
 * racks or hosts. Flat lists let every cross-reference be checked and named by its path
 * (`racks[3].hall`), which deep nesting would make impossible to get wrong in the first place
 * but also impossible to say where (a node under two racks is two entries here).
 *
 * Units are in field names (`feedWatts`, `feedMW`, `maxInputWatts`). Unknown fields are refused,
 * so a misspelt `maxInputWats` is an error, not a silent default.
 */

const id = z
  .string()
  .min(1)
  .max(100)
  // Pod ids end up in URLs and scopes (`/api/v1/history?scope=pod:<id>`): no `/`, `:` or spaces.
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits and . _ - (starting with a letter or digit)');

/** One host name, or a Slurm hostlist pattern (`gpu-h01-[001-032]`), or a list of either. */
const hosts = z.union([z.string().min(1).max(10_000), z.array(z.string().min(1).max(10_000)).min(1).max(100_000)]);

const watts = z.number().int().positive().max(10_000_000);

export const siteFileSchema = z.strictObject({
  site: z
    .strictObject({
      // A Prometheus label value, as SITE_ID is.
      id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, - or _ (it is a Prometheus label value)'),
      name: z.string().min(1).max(200),
      /** Contracted utility feed in facility watts; or feedMW (exactly one of the two). */
      feedWatts: z.number().int().positive().max(1e11).optional(),
      feedMW: z.number().positive().max(100_000).optional(),
      /** Facility watts per IT watt. */
      pue: z.number().min(1).max(5),
    })
    .refine((s) => (s.feedWatts === undefined) !== (s.feedMW === undefined), {
      message: 'give the feed once: feedWatts or feedMW',
      path: ['feedWatts'],
    }),
  halls: z
    .array(z.strictObject({ id, name: z.string().min(1).max(200).optional() }))
    .min(1)
    .max(10_000),
  racks: z
    .array(z.strictObject({ id, hall: z.string().min(1), row: z.string().min(1).max(100).optional() }))
    .min(1)
    .max(200_000),
  nodes: z
    .array(
      z.strictObject({
        hosts,
        rack: z.string().min(1),
        /** A GPU model key (gpu-models.ts), e.g. `H100-SXM`, `GB200`. */
        model: z.string().min(1).max(100),
        /** GPUs per node. */
        gpus: z.number().int().min(1).max(64),
        maxInputWatts: watts.optional(),
        baseWatts: watts.optional(),
      }),
    )
    .min(1)
    .max(200_000),
  fabrics: z
    .array(
      z
        .strictObject({
          id,
          /** `nvlink`: one NVLink domain (an NVL72 rack); `leaf` / `scalable-unit`: HGX nodes under one IB leaf or SU. */
          kind: z.enum(['nvlink', 'leaf', 'scalable-unit']),
          /** Every node of these racks is in the unit. */
          racks: z.array(z.string().min(1)).min(1).max(10_000).optional(),
          /** These hosts are in the unit (names or hostlist patterns). */
          hosts: hosts.optional(),
        })
        .refine((f) => f.racks !== undefined || f.hosts !== undefined, { message: 'name its racks or its hosts', path: ['racks'] }),
    )
    .max(200_000)
    .default([]),
});

export type SiteFile = z.infer<typeof siteFileSchema>;
