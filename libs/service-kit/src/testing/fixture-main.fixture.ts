import 'reflect-metadata';
import { runService } from '../app/run-service';
import { fixtureDefinition } from './fixture-service.fixture';

// The fixture service's main.ts, for tests that run it as a real process.
void runService(fixtureDefinition);
