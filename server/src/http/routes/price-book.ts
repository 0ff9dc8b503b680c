import express, { Router } from 'express';
import type { ContractsDeps } from '../deps.js';

/** GET/PUT `/pricebook`: the price book in force; PUT replaces it whole (400 naming a bad field). */
export function priceBookRoutes(contracts: ContractsDeps): Router {
  const router = Router();
  router.get('/pricebook', (_req, res) => {
    res.json(contracts.getPriceBook());
  });
  router.put('/pricebook', express.json({ limit: 65_536 }), (req, res) => {
    res.json(contracts.putPriceBook(req.body));
  });
  return router;
}
