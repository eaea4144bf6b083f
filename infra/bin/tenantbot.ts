#!/usr/bin/env node
import { App } from 'aws-cdk-lib';

import { addTenantbotStack } from '../lib/tenantbot-app';

addTenantbotStack(new App());
