import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  type PlatformDocumentPage,
  platformDocumentPageSchema,
  type PlatformDocumentsQuery,
  platformDocumentsQuerySchema,
  type PlatformUserPage,
  platformUserPageSchema,
  type PlatformUsersQuery,
  platformUsersQuerySchema,
  ZodPipe,
} from '@tenantbot/contracts';

import { Roles } from '../auth/decorators';
import { ApiReply } from '../openapi/api-contract';
import { PlatformViewsService } from './platform-views.service';

@ApiTags('platform')
@Roles('super_admin')
@Controller('api/v1/platform')
export class PlatformViewsController {
  constructor(private readonly views: PlatformViewsService) {}

  @Get('documents')
  @ApiOperation({
    summary: "Every company's documents (super admin), newest first; paginated",
    description:
      'Filters: `tenant_id` (one company), `status`, `kind` (a file type, or `url`, `crawl`, `text`) ' +
      'and `q` (in the file name, title or URL, any case). Each row names its company.',
  })
  @ApiReply(platformDocumentPageSchema)
  documents(
    @Query(new ZodPipe(platformDocumentsQuerySchema)) query: PlatformDocumentsQuery,
  ): Promise<PlatformDocumentPage> {
    return this.views.documents(query);
  }

  @Get('agents')
  @ApiOperation({
    summary: "Every company's agents and admins (super admin), oldest first; paginated",
    description:
      'Without `role`: agents and tenant admins; with it, the users of that role. Filters: ' +
      '`tenant_id` (one company) and `q` (in the username or email, any case).',
  })
  @ApiReply(platformUserPageSchema)
  agents(
    @Query(new ZodPipe(platformUsersQuerySchema)) query: PlatformUsersQuery,
  ): Promise<PlatformUserPage> {
    return this.views.users(query);
  }
}
